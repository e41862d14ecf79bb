import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { findBinary } from './binaries.js';
import { runInitFiles, serverFlags } from './database.js';
import { logTail, runningPid, startDetached } from './processes.js';
import { type DatabaseNode, layout, type Topology } from './topology.js';

const run = promisify(execFile);

/** Debian's galera-4, which mariadb-server brings. */
export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
// A joiner copies the whole data directory (rsync) before it answers: generous on a busy machine.
const SYNCED_TIMEOUT_MS = 180_000;
const asRoot = () => process.getuid?.() === 0;

/**
 * Starts every node of the cluster that is not running. With none running, one node bootstraps a
 * new primary component (`--wsrep-new-cluster`): node 1 on an empty cluster, else the node whose
 * grastate.dat says `safe_to_bootstrap: 1` (the last to leave). The others join it, one at a
 * time, by state transfer. Resolves once every node is Synced in a cluster of all of them.
 */
export async function startCluster(topology: Topology): Promise<void> {
  const nodes = topology.databaseNodes;
  const stopped = nodes.filter((node) => runningPid(topology.stateDir, node.name) === undefined);
  if (stopped.length === 0) return;
  const first = stopped.length === nodes.length ? bootstrapNode(topology) : undefined;
  if (first !== undefined) await startNode(topology, first, true);
  const joiners = stopped.filter((node) => node !== first);
  const running = nodes.filter((node) => !stopped.includes(node));
  const statuses = await Promise.all(
    running.map((node) => nodeStatus(topology, node, 'wsrep_cluster_status')),
  );
  if (first === undefined && !statuses.includes('Primary')) {
    // No quorum left (two of three killed, say): the survivors wait for the members of their last
    // primary component, so the stopped ones start together and the component is restored at once.
    for (const node of joiners) await startNode(topology, node, false, false);
    for (const node of joiners) await waitForStatus(topology, node, 'wsrep_local_state_comment', 'Synced');
  } else for (const node of joiners) await startNode(topology, node, false);
  await waitForStatus(topology, nodes[0] as DatabaseNode, 'wsrep_cluster_size', String(nodes.length));
}

/** Which node may start a new cluster from its data; throws, saying what to do, when none may. */
export function bootstrapNode(topology: Topology): DatabaseNode {
  const nodes = topology.databaseNodes;
  const states = nodes.map((node) => readGrastate(layout(topology.stateDir).node(node.index).dataDir));
  if (states.every((state) => state === undefined)) return nodes[0] as DatabaseNode;
  const safe = nodes.find((_, i) => states[i]?.safeToBootstrap === true);
  if (safe !== undefined) return safe;
  throw new Error(
    'no node is safe to bootstrap (all stopped at once, e.g. killed): find the one with the highest ' +
      "seqno (mariadbd --wsrep-recover) and set safe_to_bootstrap: 1 in its grastate.dat (README, 'Recovery after a full stop')",
  );
}

export interface Grastate {
  readonly uuid: string;
  readonly seqno: number;
  readonly safeToBootstrap: boolean;
}

/** The node's saved Galera state (`grastate.dat` in its data directory), if it has one. */
export function readGrastate(dataDir: string): Grastate | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'grastate.dat'), 'utf8');
  } catch {
    return undefined;
  }
  const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  return {
    uuid: field('uuid') ?? '',
    seqno: Number(field('seqno') ?? -1),
    safeToBootstrap: field('safe_to_bootstrap') === '1',
  };
}

/**
 * Starts one node and (unless told not to) waits until it is Synced. The bootstrap node of an empty cluster is
 * initialised as the single server is (mariadb-install-db, then deploy/cloud/initdb once: the
 * other nodes receive schema and accounts by replication); a joiner starts from an empty data
 * directory and receives everything by rsync. As root, mariadbd runs as the `mysql` user: rsync's
 * transfer fails on a root-owned data directory.
 */
export async function startNode(
  topology: Topology,
  node: DatabaseNode,
  bootstrap: boolean,
  waitUntilSynced = true,
): Promise<void> {
  const paths = layout(topology.stateDir);
  const own = paths.node(node.index);
  const user = asRoot() ? ['--user=mysql'] : [];
  const fresh = bootstrap && !existsSync(join(own.dataDir, 'mysql'));
  mkdirSync(own.dataDir, { recursive: true });
  mkdirSync(own.tmpDir, { recursive: true });
  // The log too: opened for mariadbd's output here, and written by it as `mysql`.
  writeFileSync(own.log, '', { flag: 'a' });
  if (asRoot()) await run('chown', ['-R', 'mysql:mysql', own.dir]);
  const mariadbd = findBinary('mariadbd', ['/usr/sbin']);
  const args = [
    '--no-defaults',
    `--datadir=${own.dataDir}`,
    `--bind-address=${node.host}`,
    `--port=${node.port}`,
    `--socket=${own.socket}`,
    `--pid-file=${join(own.dataDir, 'mariadbd.pid')}`,
    `--tmpdir=${own.tmpDir}`,
    ...user,
    ...serverFlags(topology),
    ...galeraFlags(topology, node),
  ];
  if (fresh) {
    await run(findBinary('mariadb-install-db', ['/usr/bin']), [
      '--no-defaults',
      `--datadir=${own.dataDir}`,
      `--tmpdir=${own.tmpDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
      ...user,
      ...serverFlags(topology).filter((flag) => flag.startsWith('--innodb')),
    ]);
  }
  const position = await recoverPosition(mariadbd, args, own.dataDir, own.dir);
  startDetached({
    stateDir: topology.stateDir,
    name: node.name,
    command: mariadbd,
    args: [
      ...args,
      `--log-error=${own.log}`,
      ...(position === undefined ? [] : [`--wsrep-start-position=${position}`]),
      ...(bootstrap ? ['--wsrep-new-cluster'] : []),
    ],
    // The state transfer scripts (wsrep_sst_rsync) run rsync, ss and mariadbd's tools by name.
    env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin` },
    logFile: own.log,
    namespace: node.namespace,
  });
  if (!waitUntilSynced) return;
  await waitForStatus(topology, node, 'wsrep_local_state_comment', 'Synced');
  if (fresh) await runInitFiles(own.socket, paths.secretsDir);
}

/**
 * After a crash grastate.dat says seqno -1: without the position InnoDB recorded, the node would
 * ask for a full copy. `mariadbd --wsrep-recover` reads it (as the galera_recovery script of the
 * systemd unit does), so the node asks only for what it missed (IST). Undefined when not needed.
 */
async function recoverPosition(
  mariadbd: string,
  args: readonly string[],
  dataDir: string,
  dir: string,
): Promise<string | undefined> {
  const state = readGrastate(dataDir);
  if (state === undefined || state.seqno !== -1 || !existsSync(join(dataDir, 'ibdata1'))) return undefined;
  const log = join(dir, 'wsrep-recover.log');
  writeFileSync(log, '');
  if (asRoot()) await run('chown', ['mysql:mysql', log]);
  await run(mariadbd, [...args, `--log-error=${log}`, '--wsrep-recover']);
  return /WSREP: Recovered position: (\S+:-?\d+)/.exec(readFileSync(log, 'utf8'))?.[1];
}

/** Galera's settings for `node`: the same cluster address on every node, its own addresses. */
function galeraFlags(topology: Topology, node: DatabaseNode): string[] {
  const members = topology.databaseNodes.map((other) => `${other.host}:${other.galeraPort}`).join(',');
  const provider = [
    `gmcast.listen_addr=tcp://${node.host}:${node.galeraPort}`,
    `ist.recv_addr=${node.host}:${node.istPort}`,
    // Room for the writes a node misses while it is down, so that it rejoins by IST, not a full copy.
    'gcache.size=64M',
  ].join(';');
  return [
    '--wsrep-on=ON',
    `--wsrep-provider=${GALERA_PROVIDER}`,
    '--wsrep-cluster-name=clima',
    `--wsrep-cluster-address=gcomm://${members}`,
    `--wsrep-node-name=node-${node.index}`,
    `--wsrep-node-address=${node.host}:${node.galeraPort}`,
    `--wsrep-node-incoming-address=${node.host}:${node.port}`,
    `--wsrep-provider-options=${provider}`,
    '--wsrep-sst-method=rsync',
    `--wsrep-sst-receive-address=${node.host}:${node.sstPort}`,
    // What Galera requires of the server: row-based replication, InnoDB, interleaved auto-increment.
    '--binlog-format=ROW',
    '--default-storage-engine=InnoDB',
    '--innodb-autoinc-lock-mode=2',
  ];
}

/** A global status variable of `node`, as root over its socket; undefined when it does not answer. */
export async function nodeStatus(
  topology: Topology,
  node: DatabaseNode,
  name: string,
): Promise<string | undefined> {
  try {
    const connection = await createConnection({
      socketPath: layout(topology.stateDir).node(node.index).socket,
      user: 'root',
      connectTimeout: 2_000,
    });
    try {
      const [rows] = await connection.query('SHOW GLOBAL STATUS LIKE ?', [name]);
      return (rows as { Value: string }[])[0]?.Value;
    } finally {
      await connection.end();
    }
  } catch {
    return undefined;
  }
}

/** Polls `node` until status `name` is `value`; fails early, with its log, if the process died. */
async function waitForStatus(
  topology: Topology,
  node: DatabaseNode,
  name: string,
  value: string,
): Promise<void> {
  const deadline = Date.now() + SYNCED_TIMEOUT_MS;
  const log = layout(topology.stateDir).node(node.index).log;
  while ((await nodeStatus(topology, node, name)) !== value) {
    if (runningPid(topology.stateDir, node.name) === undefined)
      throw new Error(`database node ${node.index} exited while starting:\n${logTail(log)}`);
    if (Date.now() > deadline)
      throw new Error(
        `database node ${node.index}: ${name} not ${value} within ${SYNCED_TIMEOUT_MS / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
