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

/** Deletes the namespace and the local end of its link; safe when they are already gone. */
export function removeCloudNamespace(network: CloudNamespace): void {
  for (const args of [
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
