// The charts' arithmetic, apart from uPlot and the DOM so it is tested as plain functions.

/** Vertical room a value-axis label needs, in CSS pixels, so labels never crowd. */
const TICK_SPACE_PX = 28;
/** What the x axis and the padding around the plot take of a chart's height. */
const X_AXIS_PX = 60;

export interface ValueAxis {
  readonly min: number;
  readonly max: number;
  readonly ticks: number[];
  readonly labels: string[];
}

/** Digits after the point that `x` (a power of ten times 1, 2 or 5) needs: 0.5 -> 1, 2 -> 0. */
export const decimalsOf = (x: number): number => Math.max(0, Math.ceil(-Math.log10(x) - 1e-9));

/**
 * The value axis of a series measured to `precision` (0.1 °C, 1 %): round ticks, steps of 1, 2 or
 * 5 times a power of ten of the precision, at most `maxTicks` of them. The data is padded by at
 * least one unit of precision, so a nearly flat series stays a nearly flat line in the middle of
 * the chart instead of a cliff across its height; `bounds` keeps the axis within what the
 * quantity can be (humidity: 0-100 %). `undefined` without data.
 */
export function valueAxis(
  dataMin: number | null,
  dataMax: number | null,
  options: { precision: number; bounds?: readonly [number, number] | undefined; maxTicks: number },
): ValueAxis | undefined {
  const { precision, bounds, maxTicks } = options;
  if (dataMin === null || dataMax === null || !Number.isFinite(dataMin) || !Number.isFinite(dataMax)) {
    return undefined;
  }
  // In whole units of precision from here on, so no tick is 17.575 by floating-point accident.
  const floor = bounds ? bounds[0] / precision : -Infinity;
  const ceil = bounds ? bounds[1] / precision : Infinity;
  const lowest = Math.floor(Math.min(dataMin, dataMax) / precision + 1e-9);
  const highest = Math.ceil(Math.max(dataMin, dataMax) / precision - 1e-9);
  const pad = Math.max(1, Math.round((highest - lowest) * 0.05));
  const low = Math.max(floor, lowest - pad);
  const high = Math.min(ceil, highest + pad);
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const step of [magnitude, 2 * magnitude, 5 * magnitude]) {
      const first = Math.max(floor, Math.floor(low / step) * step);
      const last = Math.min(ceil, Math.ceil(high / step) * step);
      if ((last - first) / step > Math.max(2, maxTicks - 1)) continue;
      const at = (units: number) => Number((units * precision).toFixed(decimalsOf(precision)));
      const ticks: number[] = [];
      for (let units = first; units <= last; units += step) ticks.push(at(units));
      const decimals = decimalsOf(step * precision);
      return { min: at(first), max: at(last), ticks, labels: ticks.map((t) => t.toFixed(decimals)) };
    }
  }
}

/** How many value ticks fit a chart `heightPx` tall. */
export const maxTicksFor = (heightPx: number): number =>
  Math.max(3, Math.floor((heightPx - X_AXIS_PX) / TICK_SPACE_PX) + 1);

/**
 * When the data begins well inside the range asked for (`firstS` more than `slackS` after
 * `fromS`), the time it began: the chart then spans the data there is, "collecting since",
 * instead of an empty range with a dot at its edge. Whether older readings exist, which would
 * make the empty part an outage to show, is for the caller to ask.
 */
export function collectingSince(firstS: number, fromS: number, slackS: number): number | undefined {
  return Number.isFinite(firstS) && firstS - fromS > slackS ? firstS : undefined;
}

/**
 * The time axis, `[from, to]` in seconds: the whole range up to now (or the newest reading, if
 * the clocks differ), or from `sinceS` while still collecting, but never narrower than `minSpanS`.
 */
export function timeRange(
  nowS: number,
  dataMaxS: number | null,
  rangeS: number,
  sinceS: number | undefined,
  minSpanS: number,
): [number, number] {
  const to = Math.max(nowS, dataMaxS !== null && Number.isFinite(dataMaxS) ? dataMaxS : 0);
  if (sinceS === undefined) return [to - rangeS, to];
  return [Math.max(to - rangeS, Math.min(sinceS, to - minSpanS)), to];
}

/** Per series, the index of its newest value: what the legend shows while nothing is hovered. */
export function latestIndexes(data: readonly (readonly (number | null | undefined)[])[]): (number | null)[] {
  const idxs = data.map((column) => {
    for (let i = column.length - 1; i >= 0; i--) if (column[i] != null) return i;
    return null;
  });
  const newest = idxs.slice(1).filter((i): i is number => i !== null);
  idxs[0] = newest.length > 0 ? Math.max(...newest) : null;
  return idxs;
}

/** One bucket of /api/readings. */
export interface Bucket {
  readonly bucketStart: string;
  readonly count: number;
  readonly [field: string]: number | string | null;
}

/** The typical spacing of the buckets, in seconds: the sensor's interval, or the bucket width. */
function typicalStep(buckets: readonly Bucket[]): number {
  const steps: number[] = [];
  for (let i = 1; i < buckets.length; i++) {
    const [previous, next] = [buckets[i - 1] as Bucket, buckets[i] as Bucket];
    steps.push((Date.parse(next.bucketStart) - Date.parse(previous.bucketStart)) / 1000);
  }
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)] ?? 0;
}

/** `[xs, ...series]`: the columns uPlot draws. */
export type Table = [number[], ...(number | null)[][]];

/**
 * `[xs, ...series]` from buckets, with a null where readings stopped for a while (three times
 * the usual spacing), so the chart shows a gap instead of a line across the outage.
 */
export function columns(buckets: readonly Bucket[], fields: readonly string[], minGapS: number): Table {
  const gapS = 3 * Math.max(minGapS, typicalStep(buckets));
  const xs: number[] = [];
  const series: (number | null)[][] = fields.map(() => []);
  let previous: number | undefined;
  for (const bucket of buckets) {
    const x = Date.parse(bucket.bucketStart) / 1000;
    if (previous !== undefined && x - previous > gapS) {
      xs.push((previous + x) / 2);
      for (const column of series) column.push(null);
    }
    xs.push(x);
    fields.forEach((field, i) => {
      const value = bucket[field];
      series[i]?.push(typeof value === 'number' ? value : null);
    });
    previous = x;
  }
  return [xs, ...series];
}
