import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { locateBinary } from '../../scripts/hybrid/binaries.js';
import { logTail } from '../../scripts/hybrid/processes.js';
import { registerCleanup } from './cleanup-on-exit.js';
import { freePort } from './free-port.js';
import { isAlive, readPid } from './pids.js';

/** A private MariaDB server for one test file: never the machine's own server on 3306. */
export interface MariaDbServer {
  /** `mysql://root@127.0.0.1:PORT/clima`, database `clima` created and empty. */
  readonly url: string;
  readonly port: number;
  /** Another empty database on the same server, for a test that needs a clean schema; its URL. */
  createDatabase(name: string): Promise<string>;
  /** Shuts down and deletes the data directory; nothing can follow. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or `docker kill`: the data directory stays for `restart()`. */
  kill(): Promise<void>;
  /** Starts again on the same data directory and port (after `kill()`, or shutting down first). */
  restart(): Promise<void>;
  /** SIGSTOP, resolved once the process has stopped: sockets stay open, nothing answers (a hung host). */
  pause(): Promise<void>;
  /** SIGCONT after `pause()`. */
  resume(): void;
}

const DIR_PREFIX = 'clima-mariadb-';
const READY_TIMEOUT_MS = 30_000;
const run = promisify(execFile);

/** `override` when given, else the first `name` found in `extraDirs` or PATH. */
function findBinary(name: string, extraDirs: string[], override?: string): string | undefined {
  return override !== undefined
    ? locateBinary(basename(override), [dirname(override)])
    : locateBinary(name, extraDirs);
}

const binaries = {
  mariadbd: findBinary('mariadbd', ['/usr/sbin', '/usr/local/sbin'], process.env.MARIADBD),
  installDb: findBinary('mariadb-install-db', ['/usr/bin', '/usr/local/bin']),
};

/** True when this machine can run a private MariaDB (`mariadbd` and `mariadb-install-db`). */
export function mariadbAvailable(): boolean {
  return binaries.mariadbd !== undefined && binaries.installDb !== undefined;
}

/**
 * The `skip` option for a MariaDB suite: `false` when the server can run, else the reason, printed
 * loudly. With `CI=true` a missing server is an error instead: CI installs it, so a skip is a gap.
 */
export function mariadbSkip(): string | false {
  if (mariadbAvailable()) return false;
  const reason =
    'mariadbd not installed: install mariadb-server (mariadbd, mariadb-install-db) to run MariaDB tests';
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
  return reason;
}

/**
 * A `describe` that starts one private MariaDB before its tests and removes it after, skipped (or
 * failing under CI) when MariaDB is not installed. `server()` is valid inside tests and hooks.
 */
export function mariadbSuite(name: string, body: (server: () => MariaDbServer) => void): void {
  const skip = mariadbSkip();
  if (skip !== false) {
    // A skipped test rather than a skipped suite: Node counts only tests in its "skipped" total.
    describe(name, () => it('runs against a private MariaDB server', { skip }, () => {}));
    return;
  }
  describe(name, () => {
    let server: MariaDbServer | undefined;
    before(async () => {
      server = await startMariaDb();
    });
    after(() => server?.stop());
    body(() => {
      if (server === undefined) throw new Error('the MariaDB server has not started');
      return server;
    });
  });
}

/** Starts a private MariaDB on a free loopback port with a fresh data directory. */
export async function startMariaDb(): Promise<MariaDbServer> {
  const { mariadbd, installDb } = binaries;
  if (mariadbd === undefined || installDb === undefined) throw new Error('mariadbd not installed');
  removeOrphans();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const datadir = join(dir, 'data');
  let child: ChildProcess | undefined;
  const unregister = registerCleanup(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // A private temporary folder: with the shared /tmp, servers installing side by side (tests, CI
  // and the hybrid topology at once) have had their temporary tables removed under them.
  const privateTmp = join(dir, 'tmp');
  mkdirSync(privateTmp);
  const innodb = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M', `--tmpdir=${privateTmp}`];

  async function launch(port: number): Promise<void> {
    const server = spawn(
      mariadbd as string,
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'sock')}`,
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        `--log-error=${join(dir, 'error.log')}`,
        '--user=root',
        '--skip-log-bin',
        '--skip-name-resolve',
        // Neither UTC nor strict, on purpose: what is stored must not depend on the server's
        // defaults (the pool sets its session's time zone and SQL mode itself).
        '--default-time-zone=-05:00',
        '--sql-mode=NO_ENGINE_SUBSTITUTION',
        '--innodb-flush-log-at-trx-commit=2',
        ...innodb,
      ],
      { stdio: 'ignore' },
    );
    child = server;
    await waitUntilReady(port, () => {
      if (server.exitCode === null && server.signalCode === null) return;
      throw new Error(
        `mariadbd exited (${server.signalCode ?? server.exitCode}) while starting:\n${logTail(join(dir, 'error.log'))}`,
      );
    });
  }

  async function shutDown(signal: NodeJS.Signals): Promise<void> {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    if (signal === 'SIGTERM') current.kill('SIGCONT');
    current.kill(signal);
    const escalate = setTimeout(() => current.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(escalate);
  }

  try {
    await run(installDb, [
      '--no-defaults',
      `--datadir=${datadir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      '--user=root',
      ...innodb,
    ]);
    let port = await freePort();
    // Another process may take the port between freePort() and the bind: try a few.
    for (let attempt = 1; ; attempt++) {
      try {
        await launch(port);
        break;
      } catch (error) {
        if (attempt === 3 || !/Address already in use|Bind on TCP/i.test(logTail(join(dir, 'error.log'))))
          throw error;
        port = await freePort();
      }
    }
    await sqlOn(port, 'CREATE DATABASE clima CHARACTER SET utf8mb4');
    let stopped = false;
    return {
      url: `mysql://root@127.0.0.1:${port}/clima`,
      port,
      async createDatabase(name) {
        if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) throw new Error(`bad database name ${name}`);
        await sqlOn(port, `CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
        return `mysql://root@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await shutDown('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
        unregister();
      },
      kill: () => shutDown('SIGKILL'),
      async restart() {
        await shutDown('SIGTERM');
        await launch(port);
      },
      async pause() {
        const pid = child?.pid;
        if (pid === undefined) throw new Error('mariadbd is not running');
        process.kill(pid, 'SIGSTOP');
        // Signal delivery is asynchronous: a query sent right away could still be answered.
        while (!/^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      resume: () => void child?.kill('SIGCONT'),
    };
  } catch (error) {
    await shutDown('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    unregister();
    throw error;
  }
}

async function sqlOn(port: number, statement: string): Promise<void> {
  const connection = await createConnection({ host: '127.0.0.1', port, user: 'root' });
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
}

/** Polls until the server answers; `checkAlive` throws to give up (the process died). */
async function waitUntilReady(port: number, checkAlive: () => void): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      return await sqlOn(port, 'SELECT 1');
    } catch (error) {
      checkAlive();
      if (Date.now() > deadline)
        throw new Error(`MariaDB on port ${port} not ready in time`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Servers left by a test process that was SIGKILLed (no exit hook ran): kill them, free the disk. */
function removeOrphans(): void {
  for (const name of readdirSync(tmpdir()).filter((entry) => entry.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner === undefined || isAlive(owner)) continue;
    const server = readPid(join(dir, 'mariadbd.pid'));
    if (server !== undefined && isAlive(server) && cmdline(server).includes(dir))
      process.kill(server, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
