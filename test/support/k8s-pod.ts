import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { registerCleanup } from './cleanup-on-exit.js';
import { find, type K8sObject, podTemplate, selects, workloads } from './kustomize.js';

const ROOT = new URL('../../', import.meta.url).pathname;

// biome-ignore lint/suspicious/noExplicitAny: a container of a rendered, schema-checked pod template.
export type Container = any;

/**
 * Where a workload's pods answer on this machine: a loopback address of its own (its "pod IP"),
 * or, for a workload played by the test topology (the database), an address per container port.
 */
export interface Endpoint {
  readonly address: string;
  readonly ports?: Readonly<Record<number, string>>;
}

/** One pod of a workload, made ready to run here: its volumes as folders, its environment resolved. */
export interface LocalPod {
  readonly workload: K8sObject;
  readonly container: Container;
  readonly address: string;
  /** mountPath -> the folder standing for that volume. */
  readonly mounts: ReadonlyMap<string, string>;
  /** The container's environment as the kubelet gives it, then with the local mappings applied. */
  readonly env: Record<string, string>;
  /** The command and arguments, image entrypoint included, local paths mapped. */
  readonly argv: readonly string[];
  /** A mount path (or a path below one) as its folder here. */
  local(path: string): string;
  /** Where the process starts: the image's WORKDIR, on the read-only root filesystem. */
  readonly cwd: string;
  /** What the process wrote outside its volumes, where the pod's root filesystem is read-only. */
  rootfsWrites(): string[];
}

// Each pod a 127.A.B.n address of its own (all of 127/8 is loopback on Linux): pods listen on
// their manifests' ports without colliding with each other or with anything else on 127.0.0.1.
const NET = `127.${100 + Math.floor(Math.random() * 100)}.${1 + Math.floor(Math.random() * 250)}`;
let nextHost = 1;
export function podAddress(): string {
  return `${NET}.${nextHost++}`;
}

/** The clima image's ENTRYPOINT and ENV, from the Dockerfile that builds it. */
function climaImage(): { entrypoint: string[]; env: Record<string, string>; workdir: string } {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, ' ');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(runtime)?.[1] ?? '[]') as string[];
  const env = Object.fromEntries(
    [...(/^ENV (.*)$/m.exec(runtime)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
  ) as Record<string, string>;
  const workdir = /^WORKDIR (\S+)$/m.exec(runtime)?.[1] ?? '/';
  return { entrypoint, env, workdir };
}

/**
 * The image's entrypoint as it runs here: tini (PID 1's signal forwarding and reaping, nothing of
 * clima's) left out, the image's /app (its WORKDIR: the compiled dist/) mapped to this checkout.
 */
function localEntrypoint(entrypoint: readonly string[]): string[] {
  const [first, second, ...rest] = entrypoint;
  const command = first === '/usr/bin/tini' && second === '--' ? rest : entrypoint;
  return command.map((part) => part.replace(/^\/app\//, ROOT));
}

/**
 * Prepares pod `index` of `workload` (its first container): volumes become folders under a fresh
 * temporary one, filled from the rendered Secrets and ConfigMaps; the environment is resolved as the
 * kubelet does (secretKeyRef, configMapKeyRef, $(VAR) of earlier variables, $$); then, explicitly:
 * every mount path in a value or an argument becomes its folder, and every `host:port` naming a
 * Service (or a StatefulSet pod under it) becomes the local address of the pod it selects.
 */
export function preparePod(
  objects: readonly K8sObject[],
  workload: K8sObject,
  endpoints: ReadonlyMap<string, Endpoint>,
  address = podAddress(),
): LocalPod {
  const template = podTemplate(workload);
  const container = template.spec.containers[0];
  const root = mkdtempSync(join(tmpdir(), `clima-pod-${workload.metadata.name}-`));
  registerCleanup(() => rmSync(root, { recursive: true, force: true }));
  const mounts = new Map<string, string>();
  const volumes = new Map<string, Record<string, never>>(
    (template.spec.volumes ?? []).map((v: { name: string }) => [v.name, v]),
  );
  for (const mount of container.volumeMounts ?? []) {
    const dir = join(root, mount.name);
    mkdirSync(dir, { recursive: true });
    const volume = volumes.get(mount.name);
    if (volume !== undefined) fillVolume(objects, volume, dir);
    // A subPath mount is the one file (or folder) of the volume at the mount path.
    mounts.set(mount.mountPath, mount.subPath ? join(dir, mount.subPath) : dir);
  }
  const local = (path: string) => mapPaths(path, mounts);
  // A path on no volume is on the image's root filesystem, read-only in the pod: here a folder
  // that must stay empty (rootfsWrites).
  const rootfs = join(root, 'rootfs');
  mkdirSync(rootfs);
  const onVolume = (value: string) => {
    const mapped = local(value);
    return mapped === value && value.startsWith('/') ? `${rootfs}${value}` : mapped;
  };
  const image = container.image.startsWith('clima:')
    ? climaImage()
    : { entrypoint: [], env: {}, workdir: '/' };
  // The process starts in the image's WORKDIR, on the read-only root too.
  const cwd = join(rootfs, container.workingDir ?? image.workdir);
  mkdirSync(cwd, { recursive: true });
  const made = new Set(
    relative(rootfs, cwd)
      .split('/')
      .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
  );
  const kubelet = { ...image.env, ...resolveEnv(objects, container.env ?? []) };
  const env = Object.fromEntries(
    Object.entries(kubelet).map(([name, value]) => [name, mapServices(objects, endpoints, onVolume(value))]),
  );
  const argv = [
    ...(container.command?.map((part: string) => local(expand(part, kubelet))) ??
      localEntrypoint(image.entrypoint)),
    ...(container.args ?? []).map((arg: string) => local(expand(arg, kubelet))),
  ];
  return {
    workload,
    container,
    address,
    mounts,
    env,
    argv,
    local,
    cwd,
    rootfsWrites: () =>
      readdirSync(rootfs, { recursive: true })
        .map(String)
        .filter((path) => !made.has(path)),
  };
}

/** A Secret's, ConfigMap's or projected volume's files, as the kubelet writes them. */
function fillVolume(objects: readonly K8sObject[], volume: Record<string, never>, dir: string): void {
  const sources: { kind: string; name: string; items?: { key: string; path: string }[] }[] = [];
  const v = volume as {
    secret?: { secretName: string; items?: { key: string; path: string }[] };
    configMap?: { name: string; items?: { key: string; path: string }[] };
    projected?: { sources: { secret?: { name: string }; configMap?: { name: string } }[] };
  };
  if (v.secret) sources.push({ kind: 'Secret', name: v.secret.secretName, items: v.secret.items });
  if (v.configMap) sources.push({ kind: 'ConfigMap', name: v.configMap.name, items: v.configMap.items });
  for (const source of v.projected?.sources ?? []) {
    const ref = source.secret ?? source.configMap;
    if (ref) sources.push({ kind: source.secret ? 'Secret' : 'ConfigMap', ...ref });
  }
  for (const source of sources) {
    const object = objects.find((o) => o.kind === source.kind && o.metadata.name === source.name);
    if (object === undefined) throw new Error(`${source.kind} ${source.name} not rendered`);
    const data = Object.entries(object.data ?? {}).map(([key, value]) => [key, decode(object, value)]);
    for (const [key, value] of data) {
      const item = source.items === undefined ? { path: key } : source.items.find((i) => i.key === key);
      if (item === undefined) continue;
      const file = join(dir, item.path as string);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, value as string);
    }
  }
}

function decode(object: K8sObject, value: string): string {
  return object.kind === 'Secret' ? Buffer.from(value.replace(/\n/g, ''), 'base64').toString() : value;
}

/**
 * A container's `env` as the kubelet resolves it: a missing Secret, ConfigMap or key stops the
 * container (CreateContainerConfigError), so it throws here too.
 */
export function resolveEnv(
  objects: readonly K8sObject[],
  entries: readonly { name: string; value?: string; valueFrom?: Container }[],
  /** The pod's own fields (downward API), by fieldPath, e.g. its ordinal's label. */
  fields: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const from = entry.valueFrom;
    if (from === undefined) env[entry.name] = expand(entry.value ?? '', env);
    else if (from.secretKeyRef) env[entry.name] = keyOf(objects, 'Secret', from.secretKeyRef);
    else if (from.configMapKeyRef) env[entry.name] = keyOf(objects, 'ConfigMap', from.configMapKeyRef);
    else if (from.fieldRef && fields[from.fieldRef.fieldPath] !== undefined)
      env[entry.name] = fields[from.fieldRef.fieldPath] as string;
    else throw new Error(`${entry.name}: no value for ${JSON.stringify(from)} outside a cluster`);
  }
  return env;
}

function keyOf(objects: readonly K8sObject[], kind: string, ref: { name: string; key: string }): string {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === ref.name);
  const value = object?.data?.[ref.key];
  if (object === undefined || value === undefined)
    throw new Error(`CreateContainerConfigError: ${kind} ${ref.name} has no key ${ref.key}`);
  return decode(object, value);
}

/** Kubernetes' $(VAR) expansion of variables defined before; $$ is a literal $. */
export function expand(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) => {
    if (name === undefined) return '$';
    return env[name] ?? match;
  });
}

/** Every mount path in `text` (at the start of a path) as its folder here, in one pass, longest first. */
function mapPaths(text: string, mounts: ReadonlyMap<string, string>): string {
  if (mounts.size === 0) return text;
  const paths = [...mounts.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(`(?<![\\w.-])(${paths.join('|')})(?=/|$|[^\\w.-])`, 'g');
  return text.replace(pattern, (path) => mounts.get(path) as string);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * `host:port` tokens naming a Service of the rendered objects (`name`, or a StatefulSet pod's
 * `pod-N.name`) become the local address of the pod the Service selects, at the container port
 * its targetPort names: what cluster DNS and the Service's port mapping do.
 */
export function mapServices(
  objects: readonly K8sObject[],
  endpoints: ReadonlyMap<string, Endpoint>,
  text: string,
): string {
  const names = new Set(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
  // A port ends at what no port goes on with: `clima-ingest:3fa9@...` is a URL's user and password.
  return text.replace(
    /(?<![\w.-])([a-z0-9-]+)(?:\.([a-z0-9-]+))?:(\d+)(?![\w@%-])/g,
    (match, first, second, port) => {
      const service = second ?? first;
      if (!names.has(service) || (second !== undefined && !first.startsWith(`${second}-`))) return match;
      return serviceEndpoint(objects, endpoints, service, Number(port));
    },
  );
}

/** `service:port` as the local `host:port` of the pod behind it; throws for a port it lacks. */
export function serviceEndpoint(
  objects: readonly K8sObject[],
  endpoints: ReadonlyMap<string, Endpoint>,
  name: string,
  port: number,
): string {
  const service = find(objects, 'Service', name);
  const entry = service.spec.ports.find((p: { port: number }) => p.port === port);
  if (entry === undefined) throw new Error(`Service ${name} has no port ${port}`);
  const backends = workloads(objects).filter((w) =>
    selects(service.spec.selector, podTemplate(w).metadata.labels),
  );
  const backend = backends.find((w) => endpoints.has(w.metadata.name));
  if (backend === undefined) throw new Error(`Service ${name} selects no pod that runs here`);
  const target = containerPortOf(podTemplate(backend).spec.containers[0], entry.targetPort ?? port);
  const endpoint = endpoints.get(backend.metadata.name) as Endpoint;
  return endpoint.ports?.[target] ?? `${endpoint.address}:${target}`;
}

/** The container port a probe or a Service's targetPort names, by name or number. */
export function containerPortOf(container: Container, port: number | string): number {
  const found = container.ports?.find(
    (p: { name?: string; containerPort: number }) => p.name === port || p.containerPort === port,
  );
  if (found === undefined) throw new Error(`container ${container.name} declares no port ${port}`);
  return found.containerPort;
}

/**
 * One run of a probe as the kubelet makes it against the pod's address: httpGet succeeds on 2xx
 * and 3xx, tcpSocket when the connection opens. Resolves true or false, never throws.
 */
export async function probeOnce(pod: LocalPod, probe: Container): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = containerPortOf(pod.container, probe.httpGet.port);
    try {
      const response = await fetch(`http://${pod.address}:${port}${probe.httpGet.path}`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const port = containerPortOf(pod.container, probe.tcpSocket.port);
    return new Promise((resolve) => {
      const socket = connect({ host: pod.address, port, timeout: timeoutMs });
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
  throw new Error('only httpGet and tcpSocket probes run outside a cluster');
}
