/**
 * A reading as /api/latest and /api/stream send it. The page trusts the shape no further than it
 * must: every field is checked where a wrong one would break it, and every string reaches the page
 * through textContent.
 */
export interface PageReading {
  readonly id?: number;
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly takenAt: string;
  readonly source: string;
  /** The station that sent it (source `device`); absent or null for a city's sensor. */
  readonly station?: string | null;
  /** /api/latest's; the page works it out for a pushed reading. */
  readonly ageSeconds?: number;
  readonly stale?: boolean;
}

/** A `status` event, or /api/status. */
export interface PageStatus {
  readonly openMeteo?: { readonly status: string; readonly callsToday: number };
  readonly outbox?: { readonly depth?: number; readonly reachable?: boolean } | null;
  readonly database?: {
    readonly status?: string;
    readonly since?: string;
    readonly problem?: Readonly<Record<string, string>> | null;
  };
  readonly storage?: Readonly<Record<string, string>> | null;
  readonly alerts?: { readonly active?: unknown; readonly undeliverable?: unknown };
}

export const isReading = (value: unknown): value is PageReading =>
  typeof value === 'object' && value !== null && typeof (value as { city?: unknown }).city === 'string';
