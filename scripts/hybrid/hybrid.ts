import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startCluster } from './cluster.js';
import { DATABASE, startDatabase } from './database.js';
import {
  addNodeHosts,
  createCloudNamespace,
  type Network,
  netnsUnavailable,
  nodeAddress,
  removeCloudNamespace,
} from './network.js';
import { runningPid, stopProcess } from './processes.js';
import { PROXY, startProxy } from './proxy.js';
import { ACCOUNTS, startService } from './services.js';
import { makeCertificates } from './tls.js';
import {
  type DatabaseNode,
  layout,
  readTopology,
  type ServiceName,
  saveTopology,
  type Topology,
} from './topology.js';

export interface UpOptions {
  readonly stateDir: string;
  /** `netns` fails where namespaces cannot be made; `auto` (the default) then uses loopback. */
  readonly network?: 'auto' | 'netns' | 'loopback';
  /** Default 33060, the paper's; 0 picks a free port. */
  readonly proxyPort?: number;
  /** Default 5000; 0 picks a free port. */
  readonly dashboardPort?: number;
  /** Default true. */
  readonly tls?: boolean;
  /** Database servers: 1 (the default) is the paper's single server, more a Galera cluster. */
  readonly cloudNodes?: number;
  readonly services: readonly ServiceName[];
  readonly serviceEnv?: Readonly<Record<string, string>>;
  /** Progress, one line at a time. */
  readonly log?: (line: string) => void;
}

// In its own namespace the database can have MySQL's own port, and the proxy the paper's.
const NAMESPACE_DATABASE_PORT = 3306;

/**
 * Brings the whole topology up: the cloud (its network, the database on its data directory, the
 * proxy) and then the local services, each a process of its own reaching the database through the
 * proxy only. Anything started before a failure is stopped again before the error is thrown.
 */
export async function up(options: UpOptions): Promise<Topology> {
  const log = options.log ?? (() => {});
  const previous = readTopology(options.stateDir);
  if (previous !== undefined && anyRunning(previous))
    throw new Error(`a topology is already up in ${options.stateDir}: run hybrid:down first`);
  // What a crashed or killed runner left (its namespace, say) goes before anything new is made.
  down(options.stateDir, { graceMs: 0 });
  mkdirSync(options.stateDir, { recursive: true });
  makeSecrets(options.stateDir);

  const id = randomBytes(3).toString('hex');
  const chosen = chooseNetwork(options.network ?? 'auto', id);
  const why = chosen.why;
  let network = chosen.network;
  const cloudNodes = options.cloudNodes ?? 1;
  try {
    if (network.mode === 'netns' && cloudNodes > 1) network = addNodeHosts(network, cloudNodes);
    const topology = await plan(options, id, network);
    saveTopology(topology);
    log(
      network.mode === 'netns'
        ? `network: namespace ${network.namespace} is the cloud host (${network.cloudAddress}), this machine the local one (${network.localAddress})`
        : `network: loopback, ${why}: cloud and local share this machine's 127.0.0.1`,
    );
    if (topology.tls) {
      // The certificate names the cloud as the local side addresses it, nothing else.
      const names =
        network.mode === 'netns' ? [`IP:${topology.cloudHost}`] : ['IP:127.0.0.1', 'DNS:localhost'];
      await makeCertificates(layout(topology.stateDir).tlsDir, names);
    }
    if (topology.databaseNodes.length > 0) letMysqlIn(topology);
    await startCloud(topology);
    const nodes = topology.databaseNodes.map((node) => `${node.host}:${node.port}`).join(', ');
    log(
      nodes === ''
        ? `cloud: mariadbd on 127.0.0.1:${topology.databasePort} of the cloud host, nginx on ${topology.cloudHost}:${topology.proxyPort}`
        : `cloud: a Galera cluster of ${topology.databaseNodes.length} nodes (${nodes}) behind nginx on ${topology.cloudHost}:${topology.proxyPort}`,
    );
    for (const service of topology.services) {
      await startService(topology, service);
      log(`local: clima ${service} started`);
    }
    return topology;
  } catch (error) {
    down(options.stateDir, { graceMs: 0 });
    if (network.mode === 'netns') removeCloudNamespace(network);
    throw error;
  }
}

async function plan(options: UpOptions, id: string, network: Network): Promise<Topology> {
  const loopback = network.mode === 'loopback';
  return {
    id,
    stateDir: options.stateDir,
    network,
    cloudHost: loopback ? '127.0.0.1' : network.cloudAddress,
    // In the namespace the proxy has the cloud's address to itself; on loopback it shares ports.
    proxyPort: await portOrFree(options.proxyPort ?? 33060, loopback),
    databasePort: loopback ? await freePort() : NAMESPACE_DATABASE_PORT,
    dashboardPort: await portOrFree(options.dashboardPort ?? 5000, true),
    sensorPort: await freePort(),
    ...(options.services.includes('sensor-2') ? { secondSensorPort: await freePort() } : {}),
    databaseNodes: await planNodes(options.cloudNodes ?? 1, network),
    tls: options.tls ?? true,
    services: options.services,
    serviceEnv: options.serviceEnv ?? {},
  };
}

/**
 * The nodes of a cluster (none for one server): in netns each a host of its own with Galera's
 * usual ports; on loopback all on 127.0.0.1, each port a free one.
 */
async function planNodes(count: number, network: Network): Promise<DatabaseNode[]> {
  if (count <= 1) return [];
  const nodes: DatabaseNode[] = [];
  const taken = new Set<number>();
  const port = async () => {
    for (;;) {
      const free = await freePort();
      if (!taken.has(free)) return taken.add(free) && free;
    }
  };
  for (let index = 1; index <= count; index++) {
    const namespace = network.mode === 'netns' ? network.nodeNamespaces?.[index - 1] : undefined;
    nodes.push(
      namespace === undefined
        ? {
            index,
            name: `${DATABASE}-${index}`,
            host: '127.0.0.1',
            port: await port(),
            galeraPort: await port(),
            istPort: await port(),
            sstPort: await port(),
          }
        : {
            index,
            name: `${DATABASE}-${index}`,
            host: nodeAddress(index),
            port: 3306,
            galeraPort: 4567,
            istPort: 4568,
            sstPort: 4444,
            namespace,
          },
    );
  }
  return nodes;
}

/**
 * As root the nodes run as `mysql`: let that user reach its folders under the state directory
 * (made private by mkdtemp, say) and read the server's key, as compose.yaml's chown does.
 */
function letMysqlIn(topology: Topology): void {
  if (process.getuid?.() !== 0) return;
  const paths = layout(topology.stateDir);
  mkdirSync(join(topology.stateDir, 'cloud'), { recursive: true });
  for (const dir of [topology.stateDir, join(topology.stateDir, 'cloud')]) chmodSync(dir, 0o711);
  if (topology.tls) {
    const { uid, gid } = mysqlUser();
    chownSync(join(paths.tlsDir, 'server-key.pem'), uid, gid);
  }
}

function mysqlUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('mysql:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('no mysql user: install mariadb-server');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Starts the cloud's database (or the cluster's stopped nodes) and proxy: at `up`, and after a kill. */
export async function startCloud(topology: Topology): Promise<void> {
  if (topology.databaseNodes.length > 0) await startCluster(topology);
  else await startDatabase(topology);
  if (runningPid(topology.stateDir, PROXY) === undefined) await startProxy(topology);
}

/**
 * Stops exactly what `up` started, from its pid files (services, proxy, database, in that order),
 * and removes the cloud's namespace. The data directory stays, as a compose volume does, unless
 * `removeData`. Synchronous, so that a test's exit hook can call it. Safe to call twice.
 */
export function down(stateDir: string, options: { graceMs?: number; removeData?: boolean } = {}): void {
  const topology = readTopology(stateDir);
  if (topology === undefined) return;
  const grace = options.graceMs ?? 10_000;
  for (const service of [...topology.services].reverse()) stopProcess(stateDir, service, 'SIGTERM', grace);
  stopProcess(stateDir, PROXY, 'SIGTERM', grace);
  // The last node to leave a cluster is the one safe to bootstrap it again: node 1.
  for (const name of [...databaseNames(topology)].reverse())
    stopProcess(stateDir, name, 'SIGTERM', Math.max(grace, 1) * 3);
  if (topology.network.mode === 'netns') removeCloudNamespace(topology.network);
  rmSync(layout(stateDir).topologyFile, { force: true });
  if (options.removeData) rmSync(stateDir, { recursive: true, force: true });
}

/** Which of the topology's processes are running, by name. */
export function status(topology: Topology): Record<string, number | undefined> {
  const names = [...databaseNames(topology), PROXY, ...topology.services];
  return Object.fromEntries(names.map((name) => [name, runningPid(topology.stateDir, name)]));
}

/** The pid file names of the cloud's database servers. */
export function databaseNames(topology: Topology): string[] {
  const nodes = topology.databaseNodes ?? [];
  return nodes.length === 0 ? [DATABASE] : nodes.map((node) => node.name);
}

function anyRunning(topology: Topology): boolean {
  return Object.values(status(topology)).some((pid) => pid !== undefined);
}

/** The network `wanted`, and why it is loopback when it is. */
function chooseNetwork(wanted: 'auto' | 'netns' | 'loopback', id: string): { network: Network; why: string } {
  if (wanted === 'loopback') return { network: { mode: 'loopback' }, why: 'as asked (--network loopback)' };
  const unavailable = netnsUnavailable();
  if (unavailable !== undefined) {
    if (wanted === 'netns') throw new Error(unavailable);
    return { network: { mode: 'loopback' }, why: unavailable };
  }
  try {
    return { network: createCloudNamespace(id), why: '' };
  } catch (error) {
    if (wanted === 'netns') throw error;
    return { network: { mode: 'loopback' }, why: (error as Error).message };
  }
}

/** Passwords for the two accounts, made once per state directory and kept with it. */
function makeSecrets(stateDir: string): void {
  const dir = layout(stateDir).secretsDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const account of new Set(Object.values(ACCOUNTS))) {
    const file = join(dir, `${account}_password`);
    if (!existsSync(file)) writeFileSync(file, `${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });
  }
}

/** `port`, or a free one when it is 0; on loopback a port in use is an error now, not at bind. */
async function portOrFree(port: number, checkFree: boolean): Promise<number> {
  if (port === 0) return freePort();
  if (checkFree && !(await isFree(port)))
    throw new Error(`port ${port} is in use on 127.0.0.1: choose another`);
  return port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
