/** What each command does, for `clima --help` and `clima <command> --help`. */
export const COMMANDS = {
  start: {
    summary: 'run every service in one process (the embedded default)',
    usage: 'clima start',
    detail:
      'Runs the sensor and the dashboard (http://localhost:5000) on the configured database (SQLite under DATA_DIR unless DATABASE_URL says otherwise).',
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
  migrate: {
    summary: 'apply database migrations and exit',
    usage: 'clima migrate',
    detail: 'Brings the schema of DATABASE_URL up to date. Services also do this when they start.',
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
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
  const c = COMMANDS[name];
  return [`Usage: ${c.usage}`, '', c.detail, '', 'Options:', '  -h, --help  show this help'].join('\n');
}
