import type uPlot from 'uplot';

/** What the tooltip says of one bucket: its time (`at`, shown as `time`), then label-value rows. */
export interface BucketDetail {
  readonly at: Date;
  readonly time: string;
  readonly rows: readonly (readonly [label: string, value: string])[];
}

/** Room between the pointer and the tooltip, in CSS pixels. */
const OFFSET_PX = 12;

/**
 * A uPlot plugin: a box over the plot with `detail(idx)` of the data point under the pointer,
 * beside the pointer on the side with room. Hidden while the pointer is off the plot or over a
 * gap (`detail` answers undefined). Written with textContent, so no value becomes markup.
 */
export function bucketTooltip(detail: (idx: number) => BucketDetail | undefined): uPlot.Plugin {
  const box = document.createElement('div');
  box.className = 'chart-tooltip';
  box.dataset.role = 'tooltip';
  box.hidden = true;

  function show(u: uPlot): void {
    const { idx, left, top } = u.cursor;
    const shown = idx == null || left == null || top == null || left < 0 ? undefined : detail(idx);
    if (!shown || left == null || top == null) {
      box.hidden = true;
      return;
    }
    const heading = document.createElement('p');
    const time = document.createElement('time');
    time.dateTime = shown.at.toISOString();
    time.textContent = shown.time;
    heading.append(time);
    const list = document.createElement('dl');
    for (const [label, value] of shown.rows) {
      const term = document.createElement('dt');
      term.textContent = label;
      const description = document.createElement('dd');
      description.textContent = value;
      list.append(term, description);
    }
    box.replaceChildren(heading, list);
    box.hidden = false;
    const width = u.over.clientWidth;
    const height = u.over.clientHeight;
    const onRight = left + OFFSET_PX + box.offsetWidth <= width || left < width / 2;
    box.style.left = `${onRight ? left + OFFSET_PX : left - OFFSET_PX - box.offsetWidth}px`;
    box.style.top = `${Math.max(0, Math.min(top + OFFSET_PX, height - box.offsetHeight))}px`;
  }

  return {
    hooks: {
      init: (u) => {
        u.over.append(box);
      },
      setCursor: show,
    },
  };
}
