import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { findBinary } from './binaries.js';
import { logTail, runningPid, startDetached } from './processes.js';
import { layout, type Topology } from './topology.js';

const run = promisify(execFile);
const INIT_DIR = new URL('../../deploy/cloud/initdb/', import.meta.url).pathname;
const READY_TIMEOUT_MS = 30_000;

/** The name of the database's pid file under `<stateDir>/run/`. */
export const DATABASE = 'mariadbd';

// Small buffers: the topology runs beside a test suite on a 2-core machine.
export const INNODB = ['--innodb-buffer-pool-size=64M', '--innodb-log-file-size=16M'];

/**
 * Starts the cloud's database on its data directory, as the db-master container does: an empty
 * data directory is initialised, then the server started, then (first start only) the files of
 * deploy/cloud/initdb run as the mysql image's entrypoint runs them. Resolves once it answers.
 */
export async function startDatabase(topology: Topology): Promise<void> {
  const paths = layout(topology.stateDir);
  const mariadbd = findBinary('mariadbd', ['/usr/sbin']);
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  const fresh = !existsSync(join(paths.dataDir, 'mysql'));
  // Temporary tables in a folder of its own, not the shared /tmp (see test/support/mariadb-server.ts).
  const tmp = join(topology.stateDir, 'cloud', 'tmp');
  mkdirSync(tmp, { recursive: true });
  if (fresh) {
    mkdirSync(paths.dataDir, { recursive: true });
    await run(findBinary('mariadb-install-db', ['/usr/bin']), [
      '--no-defaults',
      `--datadir=${paths.dataDir}`,
      `--tmpdir=${tmp}`,
      // root@localhost with no password, reachable only through the socket in the state directory.
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...asRoot,
      ...INNODB,
    ]);
  }
  startDetached({
    stateDir: topology.stateDir,
    name: DATABASE,
    command: mariadbd,
    args: [
      '--no-defaults',
      `--datadir=${paths.dataDir}`,
      // Inside the cloud namespace 127.0.0.1 is the namespace's own loopback: no other host sees it.
      '--bind-address=127.0.0.1',
      `--port=${topology.databasePort}`,
      `--socket=${paths.socket}`,
      `--pid-file=${join(paths.dataDir, 'mariadbd.pid')}`,
      `--log-error=${paths.databaseLog}`,
      ...asRoot,
      '--skip-log-bin',
      `--tmpdir=${tmp}`,
      ...serverFlags(topology),
    ],
    env: { PATH: process.env.PATH ?? '' },
    logFile: paths.databaseLog,
    namespace: topology.network.mode === 'netns' ? topology.network.namespace : undefined,
  });
  await waitUntilReady(topology);
  if (fresh) await runInitFiles(paths.socket, paths.secretsDir);
}

/** What every server of the cloud runs with, single or a cluster's node: settings, TLS. */
export function serverFlags(topology: Topology): string[] {
  const paths = layout(topology.stateDir);
  const tls = topology.tls
    ? [
        `--ssl-ca=${paths.caFile}`,
        `--ssl-cert=${join(paths.tlsDir, 'server-cert.pem')}`,
        `--ssl-key=${join(paths.tlsDir, 'server-key.pem')}`,
        '--require-secure-transport=ON',
      ]
    : [];
  return [
    '--skip-name-resolve',
    '--character-set-server=utf8mb4',
    '--default-time-zone=+00:00',
    // On by default in MySQL 8 (the db-master image): per-connection status, e.g. who uses TLS.
    '--performance-schema=ON',
    ...INNODB,
    ...tls,
  ];
}

/** Polls the socket until the server answers as root; fails early if the process died. */
async function waitUntilReady(topology: Topology): Promise<void> {
  const paths = layout(topology.stateDir);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const connection = await createConnection({ socketPath: paths.socket, user: 'root' });
      await connection.end();
      return;
    } catch (error) {
      if (runningPid(topology.stateDir, DATABASE) === undefined)
        throw new Error(`mariadbd exited while starting:\n${logTail(paths.databaseLog)}`);
      if (Date.now() > deadline) throw new Error('mariadbd did not answer within 30 s', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Runs deploy/cloud/initdb/* in name order exactly as the mysql image's docker-entrypoint.sh does:
 * `*.sql` piped to the client as root, `*.sh` sourced by bash with the three functions the
 * entrypoint gives them. So the hybrid topology tests the very files the compose deployment runs.
 * `files` and `env` run others the same way (deploy/k8s's administrator's account, say).
 */
export async function runInitFiles(
  socket: string,
  secretsDir: string,
  files: readonly string[] = readdirSync(INIT_DIR)
    .sort()
    .map((name) => join(INIT_DIR, name)),
  env: Readonly<Record<string, string>> = {},
): Promise<void> {
  const entrypoint = `
set -eo pipefail
mysql_error() { echo "initdb: $*" >&2; exit 1; }
file_env() {
  local var="$1" fileVar="$1_FILE" val="\${2:-}"
  if [ -n "\${!var:-}" ] && [ -n "\${!fileVar:-}" ]; then mysql_error "both $var and $fileVar are set"; fi
  if [ -n "\${!var:-}" ]; then val="\${!var}"; elif [ -n "\${!fileVar:-}" ]; then val="$(< "\${!fileVar}")"; fi
  export "$var"="$val"
  unset "$fileVar"
}
docker_process_sql() { "$CLIMA_CLIENT" --no-defaults --protocol=socket --socket="$CLIMA_SOCKET" -uroot --comments "$@"; }
for f in "$@"; do
  case "$f" in
    *.sh) . "$f" ;;
    *.sql) docker_process_sql < "$f" ;;
  esac
done`;
  try {
    await run('bash', ['-c', entrypoint, 'initdb', ...files], {
      env: {
        PATH: process.env.PATH ?? '',
        CLIMA_CLIENT: findBinary('mariadb', ['/usr/bin']),
        CLIMA_SOCKET: socket,
        CLIMA_SENSOR_PASSWORD_FILE: join(secretsDir, 'clima_sensor_password'),
        CLIMA_READER_PASSWORD_FILE: join(secretsDir, 'clima_reader_password'),
        ...env,
      },
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`initdb failed: ${stderr?.trim() || (error as Error).message}`, {
      cause: error,
    });
  }
}
