import { z } from 'zod';
import { type DatabaseTarget, parseDatabaseUrl } from '../db/database-url.js';
import type { Station } from '../ingest/station.js';
import type { City } from '../weather/city.js';
import { type AlertsFile, parseAlertsFile } from './alerts-file.js';
import { parseCities } from './parse-cities.js';
import { parseStations } from './parse-stations.js';

/**
 * Every environment variable clima reads: its default, its meaning, and the schema that turns the
 * text into a typed value. The README's configuration table lists exactly these (a test checks it).
 */
export interface Variable<T> {
  readonly name: string;
  /** The default as a user would write it, or undefined when the variable is optional. */
  readonly defaultText: string | undefined;
  readonly description: string;
  /** What a valid value looks like, for the one-line error. */
  readonly expected: string;
  /** Secrets are never echoed back in errors. */
  readonly secret?: boolean;
  readonly schema: z.ZodType<T, string>;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const SENSOR_SOURCES = ['auto', 'open-meteo', 'simulated'] as const;
export type SensorSourceMode = (typeof SENSOR_SOURCES)[number];

function integer(min: number, max: number) {
  return {
    expected: `an integer from ${min} to ${max}`,
    schema: z
      .string()
      .regex(/^\s*\d+\s*$/)
      .transform(Number)
      .pipe(z.number().int().min(min).max(max)),
  };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return { expected: `one of ${values.join(', ')}`, schema: z.enum(values) };
}

/** Runs a parser that returns a value or `{ error }`, reporting the error as the schema's issue. */
function custom<T>(parse: (raw: string) => T | { error: string }) {
  return z.string().transform((raw, ctx): T => {
    const result = parse(raw);
    if (typeof result === 'object' && result !== null && 'error' in result) {
      ctx.addIssue({ code: 'custom', message: result.error });
      return z.NEVER;
    }
    return result as T;
  });
}

export const DATA_DIR = {
  name: 'DATA_DIR',
  defaultText: './data',
  description: 'Folder for local state: the SQLite database file by default.',
  expected: 'a folder path',
  schema: z.string().trim().min(1),
} satisfies Variable<string>;

export const DATABASE_URL = {
  name: 'DATABASE_URL',
  defaultText: 'sqlite:$DATA_DIR/clima.db',
  description:
    'Where readings are stored: `sqlite:PATH` (embedded) or `mysql://USER:PASS@HOST:PORT/DB` (MySQL 8, MariaDB 10.11). `DATABASE_URL_FILE` reads it from a file (Docker secrets).',
  expected: 'mysql://user:pass@host:port/db or sqlite:PATH',
  secret: true,
  schema: custom<DatabaseTarget>((raw) => {
    try {
      return parseDatabaseUrl(raw.trim());
    } catch (error) {
      return { error: (error as Error).message };
    }
  }),
} satisfies Variable<DatabaseTarget>;

export const SENSOR_INTERVAL_S = {
  name: 'SENSOR_INTERVAL_S',
  defaultText: '15',
  description: 'Seconds between two readings of every city.',
  ...integer(1, 86_400),
} satisfies Variable<number>;

export const SENSOR_SOURCE = {
  name: 'SENSOR_SOURCE',
  defaultText: 'auto',
  description:
    '`open-meteo` (real weather), `simulated` (offline, labelled as such) or `auto` (Open-Meteo, simulated while it is unreachable).',
  ...oneOf(SENSOR_SOURCES),
} satisfies Variable<SensorSourceMode>;

export const SIMULATED_SEED = {
  name: 'SIMULATED_SEED',
  defaultText: '1',
  description: 'Seed of the simulated weather: the same seed gives the same readings at the same instants.',
  ...integer(0, 2 ** 31 - 1),
} satisfies Variable<number>;

export const CITIES = {
  name: 'CITIES',
  defaultText: 'Bogota, Medellin, Cali, Cartagena, Manizales, Pereira, Bucaramanga',
  description: 'Cities to read, as `Name:lat:lon,Name:lat:lon`; replaces the default seven Colombian cities.',
  expected: 'Name:latitude:longitude[,...] with latitude -90..90 and longitude -180..180',
  schema: custom(parseCities),
} satisfies Variable<City[]>;

export const OPEN_METEO_URL = {
  name: 'OPEN_METEO_URL',
  defaultText: 'https://api.open-meteo.com',
  description: 'Base URL of the Open-Meteo forecast API (point it at a mirror or a test server).',
  expected: 'an http:// or https:// URL',
  schema: z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/ }))
    .transform((url) => url.replace(/\/+$/, '')),
} satisfies Variable<string>;

export const OPEN_METEO_TIMEOUT_MS = {
  name: 'OPEN_METEO_TIMEOUT_MS',
  defaultText: '5000',
  description: 'Time-out of one Open-Meteo request attempt, in milliseconds.',
  ...integer(100, 120_000),
} satisfies Variable<number>;

export const OPEN_METEO_CLIENTS = {
  name: 'OPEN_METEO_CLIENTS',
  defaultText: '1',
  description:
    "Sensors sharing this edge's public address, so Open-Meteo's free tier; the start-up budget warning counts them all.",
  ...integer(1, 100),
} satisfies Variable<number>;

export const PORT = {
  name: 'PORT',
  defaultText: '5000',
  description: 'TCP port of the dashboard.',
  ...integer(1, 65_535),
} satisfies Variable<number>;

export const HOST = {
  name: 'HOST',
  defaultText: '0.0.0.0',
  description:
    "Address the dashboard and the sensor's status server listen on (`127.0.0.1` keeps them private to this machine).",
  expected: 'an IP address or host name',
  schema: z
    .string()
    .trim()
    .regex(/^[\w.:-]+$/),
} satisfies Variable<string>;

export const DISPLAY_TIME_ZONE = {
  name: 'DISPLAY_TIME_ZONE',
  defaultText: 'America/Bogota',
  description: 'IANA time zone the dashboard shows times in (stored times are always UTC).',
  expected: 'an IANA time zone such as America/Bogota or UTC',
  schema: custom((raw) => {
    try {
      return new Intl.DateTimeFormat('en', { timeZone: raw.trim() }).resolvedOptions().timeZone;
    } catch {
      return { error: 'unknown time zone' };
    }
  }),
} satisfies Variable<string>;

export const BACKUP_DIR = {
  name: 'BACKUP_DIR',
  defaultText: './backups',
  description:
    'Folder of the backup snapshots (`mediciones-YYYYMMDDTHHMMSSZ.json` and its `.manifest.json`); created when missing.',
  expected: 'a folder path',
  schema: z.string().trim().min(1),
} satisfies Variable<string>;

export const BACKUP_INTERVAL_S = {
  name: 'BACKUP_INTERVAL_S',
  defaultText: '600',
  description: 'Seconds between two backup snapshots; the first is taken when the backup service starts.',
  ...integer(1, 604_800),
} satisfies Variable<number>;

export const BACKUP_KEEP = {
  name: 'BACKUP_KEEP',
  defaultText: '144',
  description:
    'How many snapshots to keep (144 at 600 s is one day); older ones are deleted only after a new one is complete.',
  ...integer(1, 1_000_000),
} satisfies Variable<number>;

export const LOG_LEVEL = {
  name: 'LOG_LEVEL',
  defaultText: 'info',
  description: 'Least severe log level written (JSON lines; readable on a terminal).',
  ...oneOf(LOG_LEVELS),
} satisfies Variable<LogLevel>;

export const OUTBOX_PATH = {
  name: 'OUTBOX_PATH',
  defaultText: '$DATA_DIR/outbox.db',
  description:
    "The sensor's durable queue (a SQLite file on the edge): every reading is committed here before it is sent, and kept until the database has it.",
  expected: 'a file path',
  schema: z.string().trim().min(1),
} satisfies Variable<string>;

export const OUTBOX_MAX_ROWS = {
  name: 'OUTBOX_MAX_ROWS',
  defaultText: '5000000',
  description:
    'Most readings the outbox holds during an outage; when full the oldest are dropped, counted and logged.',
  ...integer(1, 1_000_000_000),
} satisfies Variable<number>;

export const SENSOR_PORT = {
  name: 'SENSOR_PORT',
  defaultText: undefined,
  description:
    "TCP port of `clima sensor`'s own status server (`/healthz`, `/metrics`, `/status`: its outbox); unset, none.",
  ...integer(1, 65_535),
} satisfies Variable<number>;

export const SENSOR_STATUS_URL = {
  name: 'SENSOR_STATUS_URL',
  defaultText: undefined,
  description:
    "Where `clima dashboard` asks a sensor in another process for its outbox (the sensor's `http://HOST:SENSOR_PORT`); unset, it shows none.",
  expected: 'an http:// or https:// URL',
  schema: z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^https?$/ }))
    .transform((url) => url.replace(/\/+$/, '')),
} satisfies Variable<string>;

export const METRICS_TOKEN = {
  name: 'METRICS_TOKEN',
  defaultText: undefined,
  description:
    "Bearer token `/metrics` requires (the dashboard's and the sensor status server's): `Authorization: Bearer TOKEN`, else 401; unset, `/metrics` is open. `METRICS_TOKEN_FILE` reads it from a file.",
  expected: 'a token without spaces (e.g. openssl rand -hex 32)',
  secret: true,
  schema: z.string().regex(/^\S+$/),
} satisfies Variable<string>;

export const ALERTS = {
  name: 'ALERTS',
  defaultText: undefined,
  description:
    'Alert rules and where notifications go, as JSON: `{"rules": [{"name": "frost", "city": "Manizales", "metric": "temperature", "below": 2, "forSeconds": 600, "hysteresis": 0.5}], "notify": [{"type": "webhook", "url": "https://...", "secretFile": "/run/secrets/hook"}]}`; `city` a name or `*`, `metric` `temperature`, `humidity` or `staleness` (`above` seconds without a reading), `notify` webhooks (`format` `json` or `slack`) and e-mail (`type` `email`, `host`, `port`, `from`, `to`, `userFile`, `passwordFile`, `caFile`, `language`); `system` sets how long each built-in rule waits, in seconds (`false` turns one off). Usually `ALERTS_FILE`: the path of a file holding it. Unset: the built-in rules, no notifications.',
  expected: 'the alerts JSON (see the README)',
  // Webhook URLs often carry tokens: the file is never echoed back.
  secret: true,
  schema: custom<AlertsFile>((raw) => parseAlertsFile(raw)),
} satisfies Variable<AlertsFile>;
export const STATIONS = {
  name: 'STATIONS',
  defaultText: undefined,
  description:
    'Devices that send their own readings (source `device`), as a JSON array of `{"name", "city", "tokenSha256"}`; usually given as `STATIONS_FILE`, a file holding it. Unset, none.',
  expected: 'a JSON array of {"name", "city", "tokenSha256"} with unique names',
  schema: custom<Station[]>(parseStations),
} satisfies Variable<Station[]>;

export const MQTT_URL = {
  name: 'MQTT_URL',
  defaultText: undefined,
  description:
    "The edge's MQTT broker, `mqtt://USER:PASS@HOST:PORT`, that `clima ingest` (and `clima start`, when set) takes stations' readings from.",
  expected: 'an mqtt://, mqtts://, ws:// or wss:// URL',
  secret: true,
  schema: z
    .string()
    .trim()
    .pipe(z.url({ protocol: /^(mqtts?|wss?)$/ })),
} satisfies Variable<string>;

export const MQTT_CLIENT_ID = {
  name: 'MQTT_CLIENT_ID',
  defaultText: 'clima-ingest',
  description:
    'Client id of the ingest subscription: the broker keeps its persistent session (and the messages waiting for it) under this id.',
  expected: '1 to 64 letters, digits, "-" or "_"',
  schema: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/),
} satisfies Variable<string>;

export const INGEST_RATE_PER_MIN = {
  name: 'INGEST_RATE_PER_MIN',
  defaultText: '6000',
  description:
    'Readings a station may send to `POST /api/ingest` per minute (a burst of as many at once); beyond, 429 with `Retry-After`.',
  ...integer(1, 10_000_000),
} satisfies Variable<number>;

/** In README order. */
export const VARIABLES: readonly Variable<unknown>[] = [
  DATA_DIR,
  DATABASE_URL,
  SENSOR_INTERVAL_S,
  SENSOR_SOURCE,
  SIMULATED_SEED,
  CITIES,
  OPEN_METEO_URL,
  OPEN_METEO_TIMEOUT_MS,
  OPEN_METEO_CLIENTS,
  PORT,
  HOST,
  DISPLAY_TIME_ZONE,
  BACKUP_DIR,
  BACKUP_INTERVAL_S,
  BACKUP_KEEP,
  OUTBOX_PATH,
  OUTBOX_MAX_ROWS,
  SENSOR_PORT,
  SENSOR_STATUS_URL,
  METRICS_TOKEN,
  LOG_LEVEL,
  ALERTS,
  STATIONS,
  MQTT_URL,
  MQTT_CLIENT_ID,
  INGEST_RATE_PER_MIN,
];
