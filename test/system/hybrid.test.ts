// The deployment of deploy/cloud + deploy/local as real processes (`npm run hybrid`): the cloud's
// database and proxy, the three edge services, and the paper's chaos test. One topology serves
// every test here, in order; the chaos test runs last but one, `hybrid:down` last.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { startCloud, status } from '../../scripts/hybrid/hybrid.js';
import { netnsUnavailable } from '../../scripts/hybrid/network.js';
import { runningPid, signalProcess } from '../../scripts/hybrid/processes.js';
import { serviceEnv } from '../../scripts/hybrid/services.js';
import { makeCertificates } from '../../scripts/hybrid/tls.js';
import type { Topology } from '../../scripts/hybrid/topology.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { openDb } from '../../src/db/open-db.js';
import type { FakeOpenMeteo } from '../support/fake-open-meteo.js';
import {
  adminQuery,
  binariesSkip,
  chosenNetwork,
  hybridCli,
  mariadbClient,
  parseBatch,
  type RunningHybrid,
  serviceLog,
  startTestTopology,
} from '../support/hybrid.js';
import { runClima, startClima, waitFor } from '../support/run-clima.js';

const run = promisify(execFile);
const HEALTHCHECK = new URL('../../deploy/image/healthcheck.mjs', import.meta.url).pathname;
const PAPER_QUERY = 'SELECT * FROM mediciones ORDER BY id DESC LIMIT 15';
const PAPER_COLUMNS = ['id', 'ciudad', 'temperatura', 'humedad', 'fecha_registro'];
const CITIES = ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'];
const ROLLUPS = ['mediciones_1m', 'mediciones_15m', 'mediciones_1h', 'mediciones_1d'];
const CHAOS_WINDOW_MS = 30_000;
const RECOVERY_MS = 15_000;

const skip = binariesSkip();

/** Every stored row, oldest first, as the `mariadb` client prints it through the proxy. */
async function allRows(topology: Topology): Promise<Record<string, string>[]> {
  const result = await mariadbClient(topology, 'clima_reader', 'SELECT * FROM mediciones ORDER BY id');
  assert.equal(result.code, 0, result.stderr);
  return parseBatch(result.stdout);
}

/** Asserts that `statement` as `account` is refused for lack of privilege. */
async function denied(topology: Topology, account: 'clima_sensor' | 'clima_reader', statement: string) {
  const result = await mariadbClient(topology, account, statement);
  assert.notEqual(result.code, 0, `${account} could run: ${statement}`);
  assert.match(result.stderr, /ERROR 114[23].*command denied to user/, `${account}: ${statement}`);
}

/** True when something accepts TCP connections on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function getPage(topology: Topology, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${topology.dashboardPort}${path}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

function dbState(html: string): string | undefined {
  return /<p id="db-status"[^>]*data-state="([a-z]+)"/.exec(html)?.[1];
}

/** The snapshots in the backup folder, oldest first. */
function snapshots(hybrid: RunningHybrid): string[] {
  return readdirSync(hybrid.paths.backupsDir)
    .filter((name) => /^mediciones-.*Z(-\d+)?\.json$/.test(name))
    .sort();
}

/** Runs the image's HEALTHCHECK script for `service` with `env`; its exit code. */
async function healthcheck(service: string, env: Record<string, string>): Promise<number> {
  try {
    await run(process.execPath, [HEALTHCHECK, service], { env });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? 1;
  }
}

describe('the hybrid topology without Docker (npm run hybrid)', () => {
  if (skip !== false) {
    it('runs the cloud and the edge as real processes', { skip }, () => {});
    return;
  }
  // CLIMA_TEST_HYBRID_NETWORK=loopback runs the fallback where namespaces would work.
  const { netns, loopbackAsked } = chosenNetwork();
  let fake: FakeOpenMeteo;
  let hybrid: RunningHybrid;
  let topology: Topology;

  before(async () => {
    ({ fake, hybrid } = await startTestTopology({ BACKUP_INTERVAL_S: '2' }));
    topology = hybrid.topology;
  });
  after(async () => {
    await hybrid?.down().catch(() => {});
    await fake?.close();
  });

  it('makes "cloud" a host of its own where the machine allows it, and says which ran', (t) => {
    const { network } = topology;
    t.diagnostic(
      network.mode === 'netns'
        ? `NETWORK: namespace ${network.namespace}: cloud ${network.cloudAddress}, local ${network.localAddress}`
        : `NETWORK: loopback (${loopbackAsked ? 'asked' : netnsUnavailable()}): cloud and local share 127.0.0.1`,
    );
    assert.equal(network.mode, netns ? 'netns' : 'loopback');
    assert.deepEqual(topology.services, ['sensor', 'dashboard', 'backup']);
    for (const [name, pid] of Object.entries(status(topology))) assert.ok(pid, `${name} is running`);
  });

  it("answers the paper's query, run with the mariadb client through the proxy, with the sensor's rows", async () => {
    const rows = await waitFor(
      async () => {
        const result = await mariadbClient(topology, 'clima_reader', PAPER_QUERY);
        assert.equal(result.code, 0, result.stderr);
        const rows = parseBatch(result.stdout);
        return rows.length === 15 ? rows : undefined;
      },
      15_000,
      'three ticks of readings',
    );
    assert.deepEqual(Object.keys(rows[0] ?? {}).slice(0, 5), PAPER_COLUMNS);
    const ids = rows.map((row) => Number(row.id));
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
      'newest first',
    );
    for (const row of rows) {
      assert.ok(CITIES.includes(row.ciudad ?? ''), row.ciudad);
      assert.match(row.temperatura ?? '', /^-?\d+(\.\d)?$/);
      assert.match(row.humedad ?? '', /^\d+$/);
      assert.match(row.fecha_registro ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(row.source, 'simulated');
    }
  });

  it('leaves the proxy as the only way in: the database port is closed to the local side', async (t) => {
    assert.ok(await accepts(topology.cloudHost, topology.proxyPort), 'the proxy answers');
    for (const name of ['sensor', 'dashboard', 'backup'] as const) {
      const url = new URL(serviceEnv(topology, name).DATABASE_URL ?? '');
      assert.equal(`${url.hostname}:${url.port}`, `${topology.cloudHost}:${topology.proxyPort}`, name);
    }
    if (topology.network.mode === 'netns') {
      assert.equal(
        await accepts(topology.cloudHost, topology.databasePort),
        false,
        'database port from local',
      );
      assert.equal(
        await accepts('127.0.0.1', topology.proxyPort),
        false,
        'nothing of the cloud on local loopback',
      );
    } else {
      t.diagnostic(
        'loopback: the database port is on this machine too; only the services’ URLs use the proxy',
      );
    }
  });

  it('lets clima_reader only read: INSERT, UPDATE, DELETE and DROP fail', async () => {
    const count = await mariadbClient(topology, 'clima_reader', 'SELECT COUNT(*) AS n FROM mediciones');
    assert.equal(count.code, 0, count.stderr);
    await denied(
      topology,
      'clima_reader',
      "INSERT INTO mediciones (ciudad, temperatura, humedad, fecha_registro, reading_key, source, observed_at) VALUES ('X', 1, 1, '2024-01-01 00:00:00', 'X@1', 'simulated', '2024-01-01 00:00:00')",
    );
    await denied(topology, 'clima_reader', 'UPDATE mediciones SET temperatura = 0');
    await denied(topology, 'clima_reader', 'DELETE FROM mediciones');
    await denied(topology, 'clima_reader', 'DROP TABLE mediciones');
  });

  it('lets clima_sensor only insert and read: UPDATE, DELETE, DROP and CREATE fail', async () => {
    await denied(topology, 'clima_sensor', 'UPDATE mediciones SET temperatura = 0');
    await denied(topology, 'clima_sensor', 'DELETE FROM mediciones');
    await denied(topology, 'clima_sensor', 'DROP TABLE mediciones');
    await denied(topology, 'clima_sensor', 'CREATE TABLE intruder (i integer)');
  });

  it('grants exactly INSERT and SELECT (and the upkeep of the rollups) to the sensor, SELECT (and the upkeep of the alerts) to the reader, and no root over the network', async () => {
    const grants = async (account: 'clima_sensor' | 'clima_reader') => {
      const result = await mariadbClient(topology, account, 'SHOW GRANTS');
      assert.equal(result.code, 0, result.stderr);
      return result.stdout
        .split('\n')
        .slice(1)
        .filter(Boolean)
        .map((line) => line.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
    };
    const sorted = (lines: string[]) => [...lines].sort();
    assert.deepEqual(
      sorted(await grants('clima_sensor')),
      sorted([
        'GRANT SELECT, INSERT ON `clima`.`mediciones` TO `clima_sensor`@`%`',
        'GRANT SELECT ON `clima`.`kysely_migration_lock` TO `clima_sensor`@`%`',
        'GRANT SELECT ON `clima`.`kysely_migration` TO `clima_sensor`@`%`',
        'GRANT SELECT ON `clima`.`clima_database` TO `clima_sensor`@`%`',
        ...ROLLUPS.map(
          (table) => `GRANT SELECT, INSERT, UPDATE ON \`clima\`.\`${table}\` TO \`clima_sensor\`@\`%\``,
        ),
        'GRANT USAGE ON *.* TO `clima_sensor`@`%`',
      ]),
    );
    assert.deepEqual(
      sorted(await grants('clima_reader')),
      sorted([
        'GRANT SELECT ON `clima`.`kysely_migration_lock` TO `clima_reader`@`%`',
        'GRANT SELECT ON `clima`.`kysely_migration` TO `clima_reader`@`%`',
        'GRANT SELECT ON `clima`.`clima_database` TO `clima_reader`@`%`',
        'GRANT SELECT ON `clima`.`mediciones` TO `clima_reader`@`%`',
        ...[...ROLLUPS, 'rollup_backfill'].map(
          (table) => `GRANT SELECT ON \`clima\`.\`${table}\` TO \`clima_reader\`@\`%\``,
        ),
        // The dashboard evaluates the alerts: it records their transitions and notifications.
        ...['alert_transition', 'alert_notification'].map(
          (table) => `GRANT SELECT, INSERT, UPDATE ON \`clima\`.\`${table}\` TO \`clima_reader\`@\`%\``,
        ),
        'GRANT USAGE ON *.* TO `clima_reader`@`%`',
      ]),
    );
    const root = await mariadbClient(topology, { user: 'root', password: '' }, 'SELECT 1');
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /Access denied for user 'root'/);
    const accounts = parseBatch(
      await adminQuery(topology, "SELECT user, host FROM mysql.user WHERE user = 'root'"),
    );
    assert.deepEqual(accounts, [{ User: 'root', Host: 'localhost' }]);
  });

  it('runs every service with exactly these grants, the schema found current', async () => {
    const before = Number(
      parseBatch(
        (await mariadbClient(topology, 'clima_reader', 'SELECT MAX(id) AS id FROM mediciones')).stdout,
      )[0]?.id,
    );
    await waitFor(
      async () => {
        const rows = parseBatch(
          (await mariadbClient(topology, 'clima_reader', 'SELECT MAX(id) AS id FROM mediciones')).stdout,
        );
        return Number(rows[0]?.id) > before ? true : undefined;
      },
      5_000,
      'the sensor to store more rows',
    );
    const api = await getPage(topology, '/api/latest');
    assert.equal(api.status, 200, api.body);
    assert.equal((JSON.parse(api.body) as { readings: unknown[] }).readings.length, CITIES.length);
    await waitFor(() => (snapshots(hybrid).length > 0 ? true : undefined), 10_000, 'a backup snapshot');
    for (const name of ['sensor', 'dashboard', 'backup'] as const) {
      const log = serviceLog(topology, name);
      assert.doesNotMatch(log, /denied|migrations applied|migration failed/i, `${name} log`);
    }
  });

  it("encrypts every connection of the services, verified against the cloud's CA (Ssl_cipher)", async () => {
    assert.equal(topology.tls, true);
    const sessions = parseBatch(
      await adminQuery(
        topology,
        `SELECT t.PROCESSLIST_USER AS user, s.VARIABLE_VALUE AS cipher
         FROM performance_schema.status_by_thread s JOIN performance_schema.threads t USING (THREAD_ID)
         WHERE s.VARIABLE_NAME = 'Ssl_cipher' AND t.PROCESSLIST_USER LIKE 'clima\\_%'`,
      ),
    );
    assert.ok(
      sessions.some((s) => s.user === 'clima_sensor'),
      `the sensor has a connection: ${JSON.stringify(sessions)}`,
    );
    for (const session of sessions)
      assert.match(session.cipher ?? '', /^TLS_|^ECDHE|AES/, JSON.stringify(session));
    // The same from the client's side, on a connection opened exactly as the sensor opens its own.
    const db = openDb(parseDatabaseUrl(serviceEnv(topology, 'sensor').DATABASE_URL ?? ''));
    try {
      const { rows } = await sql<{ Value: string }>`SHOW SESSION STATUS LIKE 'Ssl_cipher'`.execute(db.kysely);
      assert.notEqual(rows[0]?.Value ?? '', '');
    } finally {
      await db.close();
    }
  });

  it('refuses a database it cannot verify with a clear error, and the database refuses plain TCP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clima-wrong-ca-'));
    try {
      await makeCertificates(dir, [`IP:${topology.cloudHost}`]);
      const env = serviceEnv(topology, 'sensor');
      const url = new URL(env.DATABASE_URL ?? '');
      url.searchParams.set('ssl-ca', join(dir, 'ca.pem'));
      // SENSOR_PORT empty: the topology's own sensor holds its status port.
      const wrongCa = { ...env, DATABASE_URL: url.toString(), LOG_LEVEL: 'info', SENSOR_PORT: '' };
      const migrate = await runClima(['migrate'], { env: wrongCa });
      assert.equal(migrate.code, 1);
      assert.match(
        migrate.stdout + migrate.stderr,
        /database TLS failed: self-signed certificate in certificate chain; the server's certificate was refused \(ssl-mode=VERIFY_IDENTITY, ssl-ca=.*ca\.pem\)/,
      );
      // A running sensor says the same, and keeps running to retry.
      const sensor = startClima(['sensor'], { env: { ...wrongCa, DATA_DIR: dir } });
      try {
        await waitFor(
          () => (/database TLS failed/.test(sensor.stdout()) ? true : undefined),
          10_000,
          'the sensor to log the refused certificate',
        );
        assert.equal(sensor.child.exitCode, null);
      } finally {
        await sensor.stop();
      }
      url.search = '?ssl-mode=DISABLED';
      const plain = await runClima(['migrate'], { env: { ...env, DATABASE_URL: url.toString() } });
      assert.equal(plain.code, 1);
      // require_secure_transport: MySQL 8 says "insecure transport are prohibited", MariaDB denies access.
      assert.match(
        plain.stdout + plain.stderr,
        /insecure transport are prohibited|Access denied for user 'clima_sensor'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers the image's HEALTHCHECK for each service", async () => {
    assert.equal(await healthcheck('dashboard', serviceEnv(topology, 'dashboard')), 0);
    assert.equal(await healthcheck('sensor', serviceEnv(topology, 'sensor')), 0);
    assert.equal(await healthcheck('backup', serviceEnv(topology, 'backup')), 0);
    const env = serviceEnv(topology, 'sensor');
    const url = new URL(env.DATABASE_URL ?? '');
    url.password = 'wrong';
    assert.equal(await healthcheck('sensor', { ...env, DATABASE_URL: url.toString() }), 1);
  });

  it("survives the paper's chaos test: cloud killed, edge degrades and retries, history intact after restart", async (t) => {
    const rowsBefore = await allRows(topology);
    assert.ok(rowsBefore.length > 0);
    const sensorLogBefore = serviceLog(topology, 'sensor').length;
    const backupLogBefore = serviceLog(topology, 'backup').length;

    // docker rm -f: every process of both cloud containers dies at once, nothing is flushed.
    assert.ok(signalProcess(hybrid.stateDir, 'mariadbd', 'SIGKILL'));
    assert.ok(signalProcess(hybrid.stateDir, 'nginx', 'SIGKILL'));
    await waitFor(
      async () =>
        runningPid(hybrid.stateDir, 'mariadbd') === undefined &&
        runningPid(hybrid.stateDir, 'nginx') === undefined &&
        !(await accepts(topology.cloudHost, topology.proxyPort))
          ? true
          : undefined,
      5_000,
      'the cloud to be gone',
    );

    await waitFor(
      async () => (dbState((await getPage(topology, '/')).body) === 'down' ? true : undefined),
      5_000,
      'the dashboard to notice',
    );
    const windowEnd = Date.now() + CHAOS_WINDOW_MS;
    let polls = 0;
    while (Date.now() < windowEnd) {
      const page = await getPage(topology, '/');
      assert.equal(page.status, 200);
      assert.equal(dbState(page.body), 'down', 'the page shows the database unavailable');
      const weather = await getPage(topology, `/api/weather?city=${CITIES[polls % CITIES.length]}`);
      assert.equal(weather.status, 200, weather.body);
      assert.equal(typeof (JSON.parse(weather.body) as { temperature?: unknown }).temperature, 'number');
      for (const name of ['sensor', 'dashboard', 'backup'])
        assert.ok(runningPid(hybrid.stateDir, name), `${name} still running`);
      polls++;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    t.diagnostic(`${polls} polls over ${CHAOS_WINDOW_MS / 1000} s with the cloud down`);
    assert.match(serviceLog(topology, 'sensor').slice(sensorLogBefore), /outbox flush failing/);
    assert.match(
      serviceLog(topology, 'backup').slice(backupLogBefore),
      /backup failed: .*next attempt in \d+ s/,
    );

    // docker compose up -d: the same data directory, the same config.
    const restarted = Date.now();
    await startCloud(topology);
    const rowsAfter = await waitFor(
      async () => {
        const rows = await allRows(topology);
        return rows.length > rowsBefore.length ? rows : undefined;
      },
      RECOVERY_MS,
      'new rows after the restart',
    );
    t.diagnostic(`new rows ${Date.now() - restarted} ms after the restart began`);
    const byId = new Map(rowsAfter.map((row) => [row.id, row]));
    for (const row of rowsBefore) assert.deepEqual(byId.get(row.id), row, `row ${row.id} intact`);
    assert.match(serviceLog(topology, 'sensor').slice(sensorLogBefore), /outbox flush recovered/);
    await waitFor(
      async () => (dbState((await getPage(topology, '/')).body) === 'up' ? true : undefined),
      RECOVERY_MS,
      'the dashboard to see the database again',
    );

    // The next backup holds the whole history, the rows from before the crash included.
    const known = new Set(snapshots(hybrid));
    const next = await waitFor(
      () => snapshots(hybrid).find((name) => !known.has(name)),
      RECOVERY_MS,
      'the next backup',
    );
    const backup = JSON.parse(readFileSync(join(hybrid.paths.backupsDir, next), 'utf8')) as {
      id: number;
      ciudad: string;
      temperatura: number;
      humedad: number;
      fecha_registro: string;
    }[];
    const inBackup = new Map(backup.map((row) => [String(row.id), row]));
    for (const row of rowsBefore) {
      const saved = inBackup.get(row.id ?? '');
      assert.ok(saved, `row ${row.id} in the backup`);
      assert.deepEqual(
        [saved.ciudad, saved.temperatura, saved.humedad, saved.fecha_registro],
        [row.ciudad, Number(row.temperatura), Number(row.humedad), row.fecha_registro],
      );
    }
  });

  it('stops exactly what up started with hybrid:down, keeping the data directory like a volume', async () => {
    const ours = Object.values(status(topology)).filter((pid): pid is number => pid !== undefined);
    assert.equal(ours.length, 5);
    // The machine's own servers (its MariaDB, say) are not ours to stop; our nginx's worker is.
    const others = processesNamed(['mariadbd', 'nginx']).filter(({ group }) => !ours.includes(group));
    await hybridCli(['down', '--state-dir', hybrid.stateDir], {});
    for (const pid of ours) assert.equal(alive(pid), false, `${pid} stopped`);
    for (const { pid } of others) assert.equal(alive(pid), true, `${pid} left alone`);
    if (topology.network.mode === 'netns') {
      const { stdout } = await run('ip', ['netns', 'list']);
      assert.doesNotMatch(stdout, new RegExp(topology.network.namespace));
    }
    assert.ok(existsSync(join(hybrid.paths.dataDir, 'clima', 'mediciones.ibd')), 'the data directory stays');
  });
});

/** Running, and not a zombie waiting for this process (its parent, for a restarted one) to reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Running processes with one of these names, with their process group. */
function processesNamed(names: readonly string[]): { pid: number; group: number }[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      const stat = readFileSafe(`/proc/${entry}/stat`);
      const name = /\((.*)\)/.exec(stat)?.[1];
      if (name === undefined || !names.includes(name) || !alive(Number(entry))) return [];
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      return [{ pid: Number(entry), group }];
    });
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
