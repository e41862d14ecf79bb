import type { Writable } from 'node:stream';

/** A stream that may be a terminal (`process.stderr` is one when not redirected). */
export type MaybeTty = Writable & { readonly isTTY?: boolean; readonly columns?: number };

export interface ProgressBar {
  /** Shows `done` of `total` (`unit`: rows or bytes) for `label`, at most ten times a second. */
  update(label: string, done: number, total: number, unit: 'rows' | 'bytes'): void;
  /** Clears the bar, so the summary prints on a clean line. */
  clear(): void;
}

const REDRAW_MS = 100;
const WIDTH = 24;

/**
 * A one-line progress bar with rate and ETA, redrawn in place on a terminal. On anything else
 * (a file, a pipe, a log collector) it writes nothing: progress lines would only be noise there.
 */
export function createProgressBar(stream: MaybeTty, now: () => number = Date.now): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, clear() {} };
  let phase = '';
  let phaseStart = now();
  let lastDraw = 0;
  let shown = false;
  return {
    update(label, done, total, unit) {
      const t = now();
      if (label !== phase) {
        phase = label;
        phaseStart = t;
      } else if (t - lastDraw < REDRAW_MS && done < total) {
        return;
      }
      lastDraw = t;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(fraction * WIDTH);
      const seconds = (t - phaseStart) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      const eta = rate > 0 ? (total - done) / rate : undefined;
      const line = [
        `${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}%`,
        `${number(done, unit)}/${number(total, unit)} ${UNITS[unit]}`,
        `${number(rate, unit)} ${UNITS[unit]}/s`,
        `ETA ${eta === undefined ? '?' : duration(eta)}`,
      ].join('  ');
      stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

const UNITS = { rows: 'rows', bytes: 'MiB' } as const;

function number(value: number, unit: 'rows' | 'bytes'): string {
  return unit === 'rows' ? Math.round(value).toLocaleString('en-US') : (value / 1_048_576).toFixed(1);
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
