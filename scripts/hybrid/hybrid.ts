import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DATABASE, startDatabase } from './database.js';
import { createCloudNamespace, type Network, netnsUnavailable, removeCloudNamespace } from './network.js';
import { runningPid, stopProcess } from './processes.js';
import { PROXY, startProxy } from './proxy.js';
import { ACCOUNTS, startService } from './services.js';
import { makeCertificates } from './tls.js';
import { layout, readTopology, type ServiceName, saveTopology, type Topology } from './topology.js';

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
  const { network, why } = chooseNetwork(options.network ?? 'auto', id);
  try {
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
    await startCloud(topology);
    log(
      `cloud: mariadbd on 127.0.0.1:${topology.databasePort} of the cloud host, nginx on ${topology.cloudHost}:${topology.proxyPort}`,
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
    tls: options.tls ?? true,
    services: options.services,
    serviceEnv: options.serviceEnv ?? {},
  };
}

/** Starts the cloud's database and proxy: at `up`, and again after they were killed. */
export async function startCloud(topology: Topology): Promise<void> {
  await startDatabase(topology);
  await startProxy(topology);
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
  stopProcess(stateDir, DATABASE, 'SIGTERM', Math.max(grace, 1) * 3);
  if (topology.network.mode === 'netns') removeCloudNamespace(topology.network);
  rmSync(layout(stateDir).topologyFile, { force: true });
  if (options.removeData) rmSync(stateDir, { recursive: true, force: true });
}

/** Which of the topology's processes are running, by name. */
export function status(topology: Topology): Record<string, number | undefined> {
  const names = [DATABASE, PROXY, ...topology.services];
  return Object.fromEntries(names.map((name) => [name, runningPid(topology.stateDir, name)]));
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
