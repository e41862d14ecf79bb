import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locateBinary, PACKAGES } from '../../scripts/hybrid/binaries.js';
import { down } from '../../scripts/hybrid/hybrid.js';
import { netnsUnavailable } from '../../scripts/hybrid/network.js';
import { streamModule } from '../../scripts/hybrid/proxy.js';
import {
  type Account,
  type DatabaseNode,
  layout,
  password,
  readTopology,
  type ServiceName,
  type Topology,
} from '../../scripts/hybrid/topology.js';
import { registerCleanup } from './cleanup-on-exit.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from './fake-open-meteo.js';
import { freePort } from './free-port.js';
import { isAlive, readPid } from './pids.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const DIR_PREFIX = 'clima-hybrid-';

/**
 * The `skip` option for a test that needs these programs, each with the Debian package that
 * brings it (default: what the hybrid topology runs): false when all are there, else the reason,
 * printed loudly. With CI=true a missing one throws instead: .ci/run installs them, so a skip
 * there is a gap.
 */
export function binariesSkip(needed: Readonly<Record<string, string>> = PACKAGES): string | false {
  const missing = Object.keys(needed).filter(
    (name) => locateBinary(name, ['/usr/sbin', '/usr/bin']) === undefined,
  );
  const packages = missing.map((name) => needed[name] ?? name);
  if ('nginx' in needed && !missing.includes('nginx') && !hasStreamModule()) {
    missing.push('the nginx stream module');
    packages.push('libnginx-mod-stream');
  }
  if (missing.length === 0) return false;
  const reason = `${missing.join(', ')} not installed: apt-get install ${[...new Set(packages)].join(' ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
  return reason;
}

function hasStreamModule(): boolean {
  try {
    streamModule();
    return true;
  } catch {
    return false;
  }
}

export interface RunningHybrid {
  readonly topology: Topology;
  readonly stateDir: string;
  readonly paths: ReturnType<typeof layout>;
  /** `npm run hybrid:down` for this topology (the real CLI). */
  down(): Promise<void>;
}

/**
 * Brings a hybrid topology up with the real `npm run hybrid` entry point in a fresh temporary
 * state directory, `env` passed to the services. An exit hook takes it down if the test process
 * dies first; topologies left by a test process that was SIGKILLed are taken down here.
 */
export async function startHybrid(
  args: readonly string[],
  env: Record<string, string>,
): Promise<RunningHybrid> {
  removeOrphans();
  const stateDir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(stateDir, 'owner.pid'), String(process.pid));
  const unregister = registerCleanup(() => {
    down(stateDir, { graceMs: 0 });
    rmSync(stateDir, { recursive: true, force: true });
  });
  try {
    await hybridCli(['up', '--state-dir', stateDir, ...args], env);
  } catch (error) {
    down(stateDir, { graceMs: 0 });
    rmSync(stateDir, { recursive: true, force: true });
    unregister();
    throw error;
  }
  const topology = readTopology(stateDir);
  if (topology === undefined) throw new Error('hybrid up wrote no topology.json');
  return {
    topology,
    stateDir,
    paths: layout(stateDir),
    async down() {
      await hybridCli(['down', '--state-dir', stateDir], {});
      rmSync(stateDir, { recursive: true, force: true });
      unregister();
    },
  };
}

/** Runs scripts/hybrid/main.ts as `npm run hybrid` does; rejects with its output on failure. */
export async function hybridCli(args: readonly string[], env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts/hybrid/main.ts'), ...args],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    );
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`hybrid ${args[0]} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

export interface ClientResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The `mariadb` command-line client, from the local side, through the proxy, logged in as
 * `account` (TLS verified when the topology uses it). `--batch`: tab-separated, header first.
 */
export async function mariadbClient(
  topology: Topology,
  account: Account | { user: string; password: string },
  statement: string,
  options: { caFile?: string } = {},
): Promise<ClientResult> {
  const { user, password: secret } =
    typeof account === 'string' ? { user: account, password: password(topology.stateDir, account) } : account;
  const caFile = options.caFile ?? layout(topology.stateDir).caFile;
  const tls = topology.tls ? [`--ssl-ca=${caFile}`, '--ssl-verify-server-cert'] : [];
  try {
    const { stdout, stderr } = await run(
      'mariadb',
      [
        '--no-defaults',
        '--batch',
        `--host=${topology.cloudHost}`,
        `--port=${topology.proxyPort}`,
        `--user=${user}`,
        ...tls,
        '--connect-timeout=5',
        'clima',
        '-e',
        statement,
      ],
      // The password through the environment, not the command line where `ps` shows it.
      { env: { PATH: process.env.PATH ?? '', MYSQL_PWD: secret } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout = '', stderr = '' } = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof code === 'number' ? code : 1, stdout, stderr };
  }
}

/** Rows of `--batch` output as objects keyed by the header. */
export function parseBatch(stdout: string): Record<string, string>[] {
  const [header, ...lines] = stdout.trimEnd().split('\n').filter(Boolean);
  if (header === undefined) return [];
  const names = header.split('\t');
  return lines.map((line) => Object.fromEntries(line.split('\t').map((value, i) => [names[i], value])));
}

/**
 * A statement as root over the cloud's own socket: the administrator's view, from inside the
 * cloud host, never through the proxy. `--batch` output.
 */
export async function adminQuery(topology: Topology, statement: string): Promise<string> {
  const { stdout } = await run('mariadb', [
    '--no-defaults',
    '--batch',
    `--socket=${layout(topology.stateDir).socket}`,
    '--user=root',
    '-e',
    statement,
  ]);
  return stdout;
}

/** A statement as root over a cluster node's own socket (`--batch` output): that node's view. */
export async function nodeQuery(topology: Topology, node: DatabaseNode, statement: string): Promise<string> {
  const { stdout } = await run('mariadb', [
    '--no-defaults',
    '--batch',
    `--socket=${layout(topology.stateDir).node(node.index).socket}`,
    '--user=root',
    '-e',
    statement,
  ]);
  return stdout;
}

/** The log of a local service so far. */
export function serviceLog(topology: Topology, name: ServiceName): string {
  try {
    return readFileSync(layout(topology.stateDir).serviceLog(name), 'utf8');
  } catch {
    return '';
  }
}

/** Topologies whose test process died without its exit hook (SIGKILL): stop them, free the disk. */
function removeOrphans(): void {
  for (const name of readdirSafe(tmpdir()).filter((entry) => entry.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const owner = readPid(join(dir, 'owner.pid'));
    if (owner === undefined || isAlive(owner)) continue;
    down(dir, { graceMs: 0 });
    rmSync(dir, { recursive: true, force: true });
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** How the system tests run the topology: in network namespaces where they work, unless asked for loopback. */
export function chosenNetwork(): { netns: boolean; loopbackAsked: boolean } {
  const loopbackAsked = process.env.CLIMA_TEST_HYBRID_NETWORK === 'loopback';
  return { netns: !loopbackAsked && netnsUnavailable() === undefined, loopbackAsked };
}

/**
 * The topology as the system tests run it: a fake Open-Meteo, a reading a second, simulated
 * weather, a free dashboard port (and a free proxy port on loopback); `env` adds or overrides,
 * `args` adds options of `npm run hybrid` (e.g. `--cloud-nodes 3`).
 */
export async function startTestTopology(
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ fake: FakeOpenMeteo; hybrid: RunningHybrid }> {
  const { netns, loopbackAsked } = chosenNetwork();
  const fake = await startFakeOpenMeteo();
  // In its namespace the proxy has the paper's 33060 to itself; on loopback it takes a free port.
  const proxy = netns ? [] : ['--proxy-port', String(await freePort())];
  if (loopbackAsked) proxy.push('--network', 'loopback');
  const hybrid = await startHybrid(['--dashboard-port', String(await freePort()), ...proxy, ...args], {
    SENSOR_INTERVAL_S: '1',
    SENSOR_SOURCE: 'simulated',
    OPEN_METEO_URL: fake.url,
    ...env,
  }).catch(async (error) => {
    await fake.close();
    throw error;
  });
  return { fake, hybrid };
}
