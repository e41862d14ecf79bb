import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseTarget } from '../db/database-url.js';
import type { Station } from '../ingest/station.js';
import { type City, DEFAULT_CITIES } from '../weather/city.js';
import { type AlertsConfig, resolveAlerts } from './alerts-file.js';
import { ConfigError } from './config-error.js';
import {
  ALERTS,
  BACKUP_DIR,
  BACKUP_INTERVAL_S,
  BACKUP_KEEP,
  CITIES,
  DATA_DIR,
  DATABASE_URL,
  DISPLAY_TIME_ZONE,
  HOST,
  INGEST_RATE_PER_MIN,
  LOG_LEVEL,
  type LogLevel,
  METRICS_TOKEN,
  MQTT_CLIENT_ID,
  MQTT_URL,
  OPEN_METEO_CLIENTS,
  OPEN_METEO_TIMEOUT_MS,
  OPEN_METEO_URL,
  OUTBOX_MAX_ROWS,
  OUTBOX_PATH,
  PORT,
  SENSOR_INTERVAL_S,
  SENSOR_PORT,
  SENSOR_SOURCE,
  SENSOR_STATUS_URL,
  type SensorSourceMode,
  SIMULATED_SEED,
  STATIONS,
  type Variable,
} from './variables.js';

/** Everything a clima process is configured with: typed, validated, frozen. */
export interface Config {
  readonly dataDir: string;
  readonly database: DatabaseTarget;
  readonly cities: readonly City[];
  readonly sensor: {
    readonly intervalS: number;
    readonly source: SensorSourceMode;
    readonly seed: number;
    /** The port of `clima sensor`'s status server; undefined: no server. */
    readonly statusPort: number | undefined;
  };
  readonly openMeteo: {
    readonly url: string;
    readonly timeoutMs: number;
    /** How many sensors share this address's free-tier budget (OPEN_METEO_CLIENTS). */
    readonly clients: number;
  };
  readonly dashboard: {
    readonly host: string;
    readonly port: number;
    readonly timeZone: string;
    /** The status server of a sensor in another process, whose outbox the dashboard shows. */
    readonly sensorStatusUrl: string | undefined;
  };
  readonly backup: { readonly dir: string; readonly intervalS: number; readonly keep: number };
  readonly outbox: { readonly path: string; readonly maxRows: number };
  readonly logLevel: LogLevel;
  /** The bearer token `/metrics` requires; undefined: `/metrics` is open. */
  readonly metricsToken: string | undefined;
  /** Rules, built-in rules' limits and notification targets (ALERTS / ALERTS_FILE). */
  readonly alerts: AlertsConfig;
  /** Stations (devices) and how their readings come in. */
  readonly ingest: {
    readonly stations: readonly Station[];
    /** The broker to subscribe to; undefined: no MQTT ingestion. */
    readonly mqttUrl: string | undefined;
    readonly mqttClientId: string;
    /** Readings a station may POST per minute. */
    readonly ratePerMinute: number;
  };
}

export type Env = Readonly<Record<string, string | undefined>>;
type ReadFile = (path: string) => string;

/**
 * Reads the configuration from `env`. `NAME_FILE` may hold the path of a file with the value of
 * `NAME` (Docker secrets); setting both is an error, since one of them would be silently ignored.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(env: Env, readFile: ReadFile = (path) => readFileSync(path, 'utf8')): Config {
  const read = <T>(variable: Variable<T>, fallback?: string): T => {
    const raw = rawValue(env, variable.name, readFile) ?? fallback ?? variable.defaultText;
    if (raw === undefined) throw new ConfigError(variable.name, `expected ${variable.expected}`);
    const result = variable.schema.safeParse(raw);
    if (result.success) return result.data;
    const reason = result.error.issues.find((issue) => issue.code === 'custom')?.message;
    const shown = variable.secret ? '' : `, got "${raw}"`;
    throw new ConfigError(
      variable.name,
      `expected ${variable.expected}${shown}${reason ? ` (${reason})` : ''}`,
    );
  };

  const optional = <T>(variable: Variable<T>): T | undefined =>
    rawValue(env, variable.name, readFile) === undefined ? undefined : read(variable);

  const dataDir = read(DATA_DIR);
  const host = read(HOST);
  const port = read(PORT);
  const backupIntervalS = read(BACKUP_INTERVAL_S);
  const alerts = (() => {
    const file = optional(ALERTS) ?? ALERTS.schema.parse('{}');
    const pageHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    try {
      return resolveAlerts(file, { pageUrl: `http://${pageHost}:${port}/`, backupIntervalS }, readFile);
    } catch (error) {
      throw new ConfigError(ALERTS.name, (error as Error).message);
    }
  })();
  const config: Config = {
    dataDir,
    database: read(DATABASE_URL, `sqlite:${join(dataDir, 'clima.db')}`),
    cities: optional(CITIES) ?? DEFAULT_CITIES,
    sensor: {
      intervalS: read(SENSOR_INTERVAL_S),
      source: read(SENSOR_SOURCE),
      seed: read(SIMULATED_SEED),
      statusPort: optional(SENSOR_PORT),
    },
    openMeteo: {
      url: read(OPEN_METEO_URL),
      timeoutMs: read(OPEN_METEO_TIMEOUT_MS),
      clients: read(OPEN_METEO_CLIENTS),
    },
    dashboard: {
      host,
      port,
      timeZone: read(DISPLAY_TIME_ZONE),
      sensorStatusUrl: optional(SENSOR_STATUS_URL),
    },
    backup: { dir: read(BACKUP_DIR), intervalS: backupIntervalS, keep: read(BACKUP_KEEP) },
    outbox: { path: read(OUTBOX_PATH, join(dataDir, 'outbox.db')), maxRows: read(OUTBOX_MAX_ROWS) },
    logLevel: read(LOG_LEVEL),
    metricsToken: optional(METRICS_TOKEN),
    alerts,
    ingest: {
      stations: optional(STATIONS) ?? [],
      mqttUrl: optional(MQTT_URL),
      mqttClientId: read(MQTT_CLIENT_ID),
      ratePerMinute: read(INGEST_RATE_PER_MIN),
    },
  };
  return deepFreeze(config);
}

/** An empty value counts as unset, as `FOO= clima start` means "no FOO" to most people. */
function rawValue(env: Env, name: string, readFile: ReadFile): string | undefined {
  const direct = env[name];
  const file = env[`${name}_FILE`];
  if (file !== undefined && file !== '') {
    if (direct !== undefined && direct !== '') {
      throw new ConfigError(name, `set either ${name} or ${name}_FILE, not both`);
    }
    try {
      return readFile(file).replace(/\r?\n$/, '');
    } catch (error) {
      throw new ConfigError(`${name}_FILE`, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code}`);
    }
  }
  return direct === '' ? undefined : direct;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
