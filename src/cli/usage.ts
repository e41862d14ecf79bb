/** An option of one command, as `parseArgs` reads it and the usage shows it. */
export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  /** The name of a string option's value in the usage, e.g. `DIR`. */
  readonly value?: string;
  readonly help: string;
}

/** What one command does and which arguments it takes. */
export interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly detail: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Required positional arguments, by name, in order. */
  readonly positionals?: readonly string[];
}

/** What each command does, for `clima --help` and `clima <command> --help`. */
export const COMMANDS = {
  start: {
    summary: 'run every service in one process (the embedded default)',
    usage: 'clima start',
    detail:
      'Runs the sensor, the dashboard (http://localhost:5000) and the backup service on the configured database (SQLite under DATA_DIR unless DATABASE_URL says otherwise).',
  },
  sensor: {
    summary: 'run the sensor alone: one reading per city every SENSOR_INTERVAL_S',
    usage: 'clima sensor',
    detail: 'Reads the configured cities from SENSOR_SOURCE and stores the readings.',
  },
  dashboard: {
    summary: 'run the dashboard alone: the page, the JSON API, health and metrics on PORT',
    usage: 'clima dashboard',
    detail: 'Serves the readings of DATABASE_URL and live weather from Open-Meteo on HOST:PORT.',
  },
  backup: {
    summary: 'run the backup service alone: a snapshot at start, then every BACKUP_INTERVAL_S',
    usage: 'clima backup [--once] [--out DIR]',
    detail:
      "Writes consistent snapshots of the readings to BACKUP_DIR: mediciones-YYYYMMDDTHHMMSSZ.json in the paper's JSON format, with a .manifest.json beside it to verify it. Keeps the newest BACKUP_KEEP.",
    options: {
      once: {
        type: 'boolean',
        help: 'take one snapshot (then delete the oldest beyond BACKUP_KEEP) and exit',
      },
      out: { type: 'string', value: 'DIR', help: 'write to DIR instead of BACKUP_DIR' },
    },
  },
  'backup verify': {
    summary: 'check a snapshot against its manifest: size, SHA-256, rows, format',
    usage: 'clima backup verify FILE',
    detail:
      'Reads FILE (a snapshot or its manifest) to the end. Exit 0 when it is good, 1 with every problem found.',
    positionals: ['FILE'],
  },
  restore: {
    summary: 'restore a snapshot into DATABASE_URL, idempotent by id',
    usage: 'clima restore FILE [--dry-run] [--overwrite]',
    detail:
      'Verifies FILE first and writes nothing if it is damaged. Then inserts its rows under their own ids; rows already there and identical are skipped; rows whose id holds something else are reported and left alone. A plain paper-format array without a manifest is accepted with a warning. Exit 0 when every row is in the database, 1 otherwise.',
    options: {
      'dry-run': { type: 'boolean', help: 'verify and compare with the database, write nothing' },
      overwrite: { type: 'boolean', help: 'replace rows whose id holds different content' },
    },
    positionals: ['FILE'],
  },
  ingest: {
    summary: "take stations' readings from the MQTT broker at MQTT_URL into the outbox",
    usage: 'clima ingest',
    detail:
      'Subscribes to clima/<station>/readings (QoS 1, persistent session MQTT_CLIENT_ID) for the stations of STATIONS, commits their readings to the outbox before acknowledging them, and sends the outbox to DATABASE_URL. Refused messages are counted, logged and republished to clima/<station>/rejected. SENSOR_PORT serves /metrics and /status as for the sensor.',
  },
  migrate: {
    summary: 'apply database migrations, fill the rollups of older readings, and exit',
    usage: 'clima migrate',
    detail:
      'Brings the schema of DATABASE_URL up to date (services also do this when they start), then adds the readings stored before the rollups existed to them, in batches; run again after an interruption, it resumes.',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function commandSpec(name: CommandName): CommandSpec {
  return COMMANDS[name];
}

export function mainUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: clima <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help  show help (also: clima <command> --help)',
    '',
    'Configuration comes from environment variables (see README.md), e.g.',
    '  SENSOR_INTERVAL_S=15 SENSOR_SOURCE=auto DATABASE_URL=sqlite:./data/clima.db clima start',
  ].join('\n');
}

export function commandUsage(name: CommandName): string {
  const spec = commandSpec(name);
  const options = [
    ...Object.entries(spec.options ?? {}).map(([option, o]) => [
      `--${option}${o.value ? ` ${o.value}` : ''}`,
      o.help,
    ]),
    ['-h, --help', 'show this help'],
  ];
  const width = Math.max(...options.map(([flag]) => flag?.length ?? 0));
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.detail,
    '',
    'Options:',
    ...options.map(([flag, help]) => `  ${flag?.padEnd(width)}  ${help}`),
  ].join('\n');
}
