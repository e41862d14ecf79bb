import type { AlertStateName } from '../db/alerts-repository.js';

/** An alert's current state: its newest transition (none yet counts as resolved). */
export interface CurrentState {
  readonly state: AlertStateName;
  readonly atMs: number;
}

/**
 * The state an alert moves to, or undefined when it stays: resolved -> pending while the
 * condition holds for less than `forSeconds` (straight to firing when 0), pending -> firing once
 * it has held that long, pending or firing -> resolved when it no longer holds.
 */
export function nextState(
  current: CurrentState | undefined,
  holds: boolean,
  forSeconds: number,
  nowMs: number,
): AlertStateName | undefined {
  const state = current?.state ?? 'resolved';
  if (state === 'resolved') {
    if (!holds) return undefined;
    return forSeconds === 0 ? 'firing' : 'pending';
  }
  if (!holds) return 'resolved';
  if (state === 'pending' && current && nowMs - current.atMs >= forSeconds * 1000) return 'firing';
  return undefined;
}

/** Only what people act on is notified: firing, and the end of a firing (not of a pending). */
export function isNotified(from: AlertStateName | undefined, to: AlertStateName): boolean {
  return to === 'firing' || (to === 'resolved' && from === 'firing');
}
