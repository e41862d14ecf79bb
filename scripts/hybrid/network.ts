import { execFileSync } from 'node:child_process';

/**
 * "cloud" as a host of its own: a network namespace joined to this machine (the "local" node) by
 * a veth pair on a private /30. Inside it the database listens on its loopback only and the proxy
 * on the link address: from the local side the proxy port is the only way in. Nothing is routed
 * further (the namespace has no default route and forwarding is not enabled).
 */
export interface CloudNamespace {
  readonly mode: 'netns';
  readonly namespace: string;
  /** The veth end on the local side; its peer is inside the namespace. */
  readonly localInterface: string;
  readonly localAddress: string;
  readonly cloudAddress: string;
  /**
   * The database nodes of a cluster, each a namespace of its own on a segment that only the cloud
   * namespace reaches (a bridge inside it): the proxy's upstreams, never the local side's.
   */
  readonly nodeNamespaces?: readonly string[];
}

/** No namespace: everything on this machine's loopback, the database on a port of its own. */
export interface LoopbackNetwork {
  readonly mode: 'loopback';
}

export type Network = CloudNamespace | LoopbackNetwork;

// 10.199.0.0/16 cut into /30 links, one per topology; a block that overlaps any route is skipped.
const BLOCK_PREFIX = [10, 199] as const;

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why this machine cannot make namespaces, or undefined when it can (root and iproute2). */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  try {
    ip(['netns', 'list']);
    return undefined;
  } catch (error) {
    return `ip netns does not work here: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Creates the namespace `clima-<id>` and its link; on any failure, removes what it made and throws. */
export function createCloudNamespace(id: string): CloudNamespace {
  const namespace = `clima-${id}`;
  // Interface names are limited to 15 characters.
  const localInterface = `clima${id}l`;
  const cloudInterface = `clima${id}c`;
  const block = freeBlock(id);
  const network: CloudNamespace = {
    mode: 'netns',
    namespace,
    localInterface,
    localAddress: address(block, 1),
    cloudAddress: address(block, 2),
  };
  try {
    ip(['netns', 'add', namespace]);
    ip(['link', 'add', localInterface, 'type', 'veth', 'peer', 'name', cloudInterface]);
    ip(['link', 'set', cloudInterface, 'netns', namespace]);
    ip(['addr', 'add', `${network.localAddress}/30`, 'dev', localInterface]);
    ip(['link', 'set', localInterface, 'up']);
    const inside = (args: string[]) => ip(['netns', 'exec', namespace, 'ip', ...args]);
    inside(['link', 'set', 'lo', 'up']);
    inside(['addr', 'add', `${network.cloudAddress}/30`, 'dev', cloudInterface]);
    inside(['link', 'set', cloudInterface, 'up']);
    return network;
  } catch (error) {
    removeCloudNamespace(network);
    throw new Error(`could not create the cloud network namespace: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

// The cluster's segment lives inside the cloud namespace only, so no route of this machine matters.
const NODE_SEGMENT = '10.200.0';
const BRIDGE = 'nodes';

/** The address of cluster node `index` (1, 2, ...) on the cloud's segment. */
export function nodeAddress(index: number): string {
  return `${NODE_SEGMENT}.${10 + index}`;
}

/**
 * Adds `count` database hosts behind the cloud host: namespaces `<cloud>-db<i>`, each linked to a
 * bridge inside the cloud namespace. Returns the network with them; removes them on failure.
 */
export function addNodeHosts(network: CloudNamespace, count: number): CloudNamespace {
  const nodeNamespaces = Array.from({ length: count }, (_, i) => `${network.namespace}-db${i + 1}`);
  const withNodes = { ...network, nodeNamespaces };
  const cloud = (args: string[]) => ip(['-n', network.namespace, ...args]);
  try {
    cloud(['link', 'add', BRIDGE, 'type', 'bridge']);
    cloud(['addr', 'add', `${NODE_SEGMENT}.1/24`, 'dev', BRIDGE]);
    cloud(['link', 'set', BRIDGE, 'up']);
    nodeNamespaces.forEach((namespace, i) => {
      ip(['netns', 'add', namespace]);
      // The cloud's end is named for the node, so that cutting one node's link is one command.
      cloud(['link', 'add', nodeLink(i + 1), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
      cloud(['link', 'set', nodeLink(i + 1), 'master', BRIDGE, 'up']);
      const inside = (args: string[]) => ip(['-n', namespace, ...args]);
      inside(['link', 'set', 'lo', 'up']);
      inside(['addr', 'add', `${nodeAddress(i + 1)}/24`, 'dev', 'eth0']);
      inside(['link', 'set', 'eth0', 'up']);
    });
    return withNodes;
  } catch (error) {
    removeCloudNamespace(withNodes);
    throw new Error(`could not create the database nodes' namespaces: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Takes node `index`'s only link down (`up` false) or up again: a cut cable, not a dead server. */
export function setNodeLink(network: CloudNamespace, index: number, up: boolean): void {
  ip(['-n', network.namespace, 'link', 'set', nodeLink(index), up ? 'up' : 'down']);
}

const nodeLink = (index: number) => `db${index}`;

/** Deletes the namespaces and the local end of the link; safe when they are already gone. */
export function removeCloudNamespace(network: CloudNamespace): void {
  for (const args of [
    ...(network.nodeNamespaces ?? []).map((namespace) => ['netns', 'delete', namespace]),
    ['netns', 'delete', network.namespace],
    ['link', 'delete', network.localInterface],
  ]) {
    try {
      ip(args);
    } catch {
      // Already gone (deleting the namespace also removes the veth pair).
    }
  }
}

function address(block: number, host: number): string {
  const offset = block * 4 + host;
  return `${BLOCK_PREFIX.join('.')}.${Math.floor(offset / 256)}.${offset % 256}`;
}

/** A /30 inside 10.199.0.0/16 that no route on this machine touches, starting from the id's hash. */
function freeBlock(id: string): number {
  const routes = ip(['-4', 'route', 'show', 'table', 'all'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((dest) => /^\d+\.\d+\.\d+\.\d+(\/\d+)?$/.test(dest))
    .map(parseCidr);
  const start = Number.parseInt(id, 16) % 16_384;
  for (let i = 0; i < 16_384; i++) {
    const block = (start + i) % 16_384;
    const base = parseCidr(`${address(block, 0)}/30`);
    if (!routes.some((route) => overlaps(route, base))) return block;
  }
  throw new Error('no free /30 left in 10.199.0.0/16');
}

interface Cidr {
  readonly base: number;
  readonly bits: number;
}

function parseCidr(text: string): Cidr {
  const [addr = '', bits = '32'] = text.split('/');
  const base = addr.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  return { base, bits: Number(bits) };
}

/** Two networks overlap when they agree on the shorter prefix. */
function overlaps(a: Cidr, b: Cidr): boolean {
  // Division, not >>>: the shift count would be 32 for a /0 route, which JavaScript takes as 0.
  const size = 2 ** (32 - Math.min(a.bits, b.bits));
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}
