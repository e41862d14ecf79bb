// The image's HEALTHCHECK: exit 0 when the service in this container can do its job.
//   dashboard, start   the dashboard answers GET /healthz on PORT
//   sensor, backup     its own DATABASE_URL (through the proxy, with its own account) answers SELECT 1
// The service is the command PID 1 runs (tini -- clima.js <command>), or the first argument.
// A database that is down makes the sensor and the backup "unhealthy" in `docker compose ps`,
// which is the point: they keep running and retrying, and an operator sees why nothing arrives.
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { loadConfig } from '../../dist/config/load-config.js';
import { openDb } from '../../dist/db/open-db.js';

const TIMEOUT_MS = 5_000;

function service() {
  if (process.argv[2]) return process.argv[2];
  const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean);
  const main = args.findIndex((arg) => arg.endsWith('clima.js'));
  return args[main + 1] ?? 'start';
}

async function dashboardAlive(port) {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`GET /healthz answered ${response.status}`);
}

async function databaseAnswers(target) {
  const db = openDb(target, { queryTimeoutMs: TIMEOUT_MS });
  try {
    await sql`SELECT 1`.execute(db.kysely);
  } finally {
    await db.close();
  }
}

try {
  const name = service();
  const config = loadConfig(process.env);
  if (name === 'dashboard' || name === 'start') await dashboardAlive(config.dashboard.port);
  else await databaseAnswers(config.database);
  process.exitCode = 0;
} catch (error) {
  console.error(`unhealthy: ${error.message}`);
  process.exitCode = 1;
}
