import type uPlot from 'uplot';
import { decimalsOf, maxTicksFor, valueAxis } from './chart-scales.js';

/** uPlot's axis once drawn: the fields it sizes itself with. */
interface DrawnAxis {
  _size: number;
  font: [string, number];
  ticks: { size: number };
  gap: number;
}

export function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** The axes' and grid's colours, the page's own (light or dark). */
export function axisStyleOfPage(): uPlot.Axis {
  const grid = { stroke: cssVar('--border', '#d5dce5'), width: 1 };
  return { stroke: cssVar('--muted', '#4d5a69'), grid, ticks: grid };
}

/** Wide enough for the longest label, measured in the axis's own font, so none is clipped. */
function axisSize(u: uPlot, values: string[] | null, axisIdx: number, cycleNum: number): number {
  const axis = u.axes[axisIdx] as unknown as DrawnAxis;
  if (cycleNum > 1) return axis._size;
  const longest = (values ?? []).reduce((a, b) => (String(b).length > a.length ? String(b) : a), '');
  u.ctx.font = axis.font[0];
  return Math.ceil(axis.ticks.size + axis.gap + u.ctx.measureText(longest).width / devicePixelRatio + 4);
}

/** The time axis's labels: 24-hour times in both languages, in the page's zone; whole days once ticks are a day apart. */
export function timeTickLabels(lang: string, timeZone: string | undefined) {
  const hourFormat = new Intl.DateTimeFormat(lang, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const dayFormat = new Intl.DateTimeFormat(lang, { timeZone, day: 'numeric', month: 'short' });
  return (_u: uPlot, ticks: number[]): string[] => {
    const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : 0;
    const format = step >= 86_400 ? dayFormat : hourFormat;
    return ticks.map((t) => format.format(new Date(t * 1000)));
  };
}

/**
 * The value scale and axis of a chart box, from its data-unit, data-precision and (for
 * quantities with limits) data-min and data-max, for a chart `heightPx()` tall (it changes with the
 * window). The ticks are those of the range last chosen.
 */
export function valueScale(box: HTMLElement, axisStyle: uPlot.Axis, heightPx: () => number) {
  const unit = box.dataset.unit || '';
  const precision = Number(box.dataset.precision) || 0.1;
  const bounds: [number, number] | undefined =
    box.dataset.min === undefined ? undefined : [Number(box.dataset.min), Number(box.dataset.max)];
  let chosen: ReturnType<typeof valueAxis>;
  return {
    scale: {
      range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => {
        chosen = valueAxis(min, max, { precision, bounds, maxTicks: maxTicksFor(heightPx()) });
        return chosen ? [chosen.min, chosen.max] : [0, 1];
      },
    },
    axis: {
      ...axisStyle,
      size: axisSize,
      splits: () => (chosen ? chosen.ticks : []),
      values: () => (chosen ? chosen.labels.map((label) => `${label} ${unit}`) : []),
    } satisfies uPlot.Axis,
    value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${v.toFixed(decimalsOf(precision))} ${unit}`),
  };
}
