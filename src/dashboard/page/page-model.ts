import type { StoreProblem } from '../../db/connection-error.js';
import type { Reading } from '../../db/reading.js';
import type { StoreFailure } from '../../outbox/store-health.js';
import type { City } from '../../weather/city.js';
import type { SourceStatus } from '../../weather/source-health.js';
import type { PageAlert } from './alert-text.js';
import type { Lang } from './lang.js';

export type { Lang } from './lang.js';

/** One city's charts, every city's temperature on one chart, or one station's charts. */
export type ChartView = 'city' | 'compare' | 'station';

/** The latest reading of a city, with how old it is. */
export interface LatestReading extends Reading {
  readonly ageSeconds: number;
  /** Older than 3 x SENSOR_INTERVAL_S. */
  readonly stale: boolean;
}

/** A configured station and its newest reading, `undefined` before its first. */
export interface StationLatest {
  readonly name: string;
  readonly city: string;
  readonly latest: LatestReading | undefined;
}

/** Current conditions straight from Open-Meteo for the selected city. */
export interface LiveWeather {
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly observedAt: string;
}

/** Everything the page at `/` shows; built by the route, rendered by `renderPage`. */
export interface PageModel {
  readonly lang: Lang;
  readonly now: Date;
  /** IANA zone the times are shown in, e.g. America/Bogota. */
  readonly timeZone: string;
  readonly intervalS: number;
  readonly cities: readonly City[];
  readonly selectedCity: string;
  /** A `city` the address asked for that is not configured: the page says so and shows `selectedCity`. */
  readonly unknownCity?: string;
  /** The chart range shown, an id of `CHART_RANGES` (`24h`). */
  readonly chartRange: string;
  readonly chartView: ChartView;
  /**
   * The configured stations, for the charts' station picker: known from the configuration, so
   * the picker is there even while the database is down. Absent or empty without stations.
   */
  readonly configuredStations?: readonly { readonly name: string; readonly city: string }[];
  /** The station the `station` view shows (and its picker holds); absent without stations. */
  readonly selectedStation?: string;
  /** A `station` the address asked for that is not configured: the page says so. */
  readonly unknownStation?: string;
  /** `down` carries when the database stopped answering, and why when known (a code, never the driver's text). */
  readonly database:
    | { readonly state: 'up' }
    | { readonly state: 'down'; readonly since: Date; readonly problem?: StoreProblem };
  /**
   * Latest reading per city and the last 15 readings (the original dashboard's table). When the
   * database is down these are the last values the dashboard holds, and `fromCache` is true;
   * `undefined` when it holds none.
   */
  readonly readings:
    | {
        readonly latest: readonly LatestReading[];
        readonly recent: readonly Reading[];
        readonly fromCache: boolean;
        readonly fetchedAt: Date;
      }
    | undefined;
  /** Open-Meteo's health and the calls it counted today (the free tier allows `FREE_TIER_LIMITS.callsPerDay`). */
  readonly openMeteo: { readonly status: SourceStatus; readonly callsToday: number };
  /**
   * Readings still on their way to the database (the sensor's outbox), when this process has one;
   * `embedded` when that database is a local file, not the cloud; the stores that cannot keep readings.
   */
  readonly outbox:
    | {
        readonly depth: number;
        readonly oldestTakenAt: Date | undefined;
        readonly embedded: boolean;
        readonly failures: readonly StoreFailure[];
      }
    | undefined;
  readonly weather:
    | { readonly state: 'ok'; readonly observation: LiveWeather }
    | { readonly state: 'unavailable' };
  /**
   * The configured stations beside the cities: absent when none is configured (the page is then
   * as without stations), `unavailable` when the database could not be asked.
   */
  readonly stations?: readonly StationLatest[] | 'unavailable';
  /** Alerts firing or pending, and how many notifications were given up on; none when absent. */
  readonly alerts?: { readonly active: readonly PageAlert[]; readonly undeliverable: number };
}
