// Compose and Kubernetes agree: for each service, the same variables (with the same values where
// neither is the operator's to choose), the same ports, the same command, the same image line and
// the same paths for its data. Where they differ on purpose, the difference is listed here, with why.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Compose, type ComposeService, composeConfig } from '../support/compose-config.js';
import { binariesSkip } from '../support/hybrid.js';
import { type Container, resolveEnv } from '../support/k8s-pod.js';
import {
  exampleSecretFiles,
  find,
  type K8sObject,
  podTemplate,
  renderOverlay,
} from '../support/kustomize.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLOUD = join(ROOT, 'deploy/cloud');
const LOCAL = join(ROOT, 'deploy/local');

/** Variables only one side has, on purpose. */
const ONLY_IN_K8S: Record<string, string[]> = {
  // Two replicas ask Open-Meteo from one cluster: each budget warning counts both.
  sensor: ['OPEN_METEO_CLIENTS'],
  // The cluster's DNS server instead of Docker's, the script's default.
  'nginx-proxy': ['PROXY_RESOLVER'],
  // The migrate Job's administrator account (04-admin-account.sh).
  'db-master': ['CLIMA_ADMIN_PASSWORD_FILE'],
  // The node's number comes from the pod's ordinal (POD_INDEX), not a variable per service.
  'db-node-1': ['CLIMA_ADMIN_PASSWORD_FILE', 'POD_INDEX'],
};
const ONLY_IN_COMPOSE: Record<string, string[]> = {
  // The CronJob's schedule is the interval (checked below): one snapshot per run.
  backup: ['BACKUP_INTERVAL_S'],
  'db-node-1': ['GALERA_NODE'],
};
/** Values that name a host: the service's DNS name differs (compose: sensor, k8s: clima-sensor). */
const HOST_VALUES = new Set(['DATABASE_URL', 'SENSOR_STATUS_URL', 'DATABASE_UPSTREAM']);

/** The container's environment as the kubelet resolves it, without the variables only there to be
 * filled into others ($(CLIMA_READER_PASSWORD) into DATABASE_URL). */
function k8sEnv(objects: readonly K8sObject[], container: Container): Record<string, string> {
  // The label the StatefulSet controller gives each pod: its ordinal.
  const env = resolveEnv(objects, container.env ?? [], {
    "metadata.labels['apps.kubernetes.io/pod-index']": '0',
  });
  const raw = (container.env ?? []).map((entry: { value?: string }) => entry.value ?? '').join(' ');
  return Object.fromEntries(Object.entries(env).filter(([name]) => !raw.includes(`$(${name})`)));
}

/** A value with its hosts taken out: `mysql://user:pass@host:33060/clima?x` -> `mysql://user@:33060/clima?x`. */
function withoutHosts(name: string, value: string): string {
  if (!HOST_VALUES.has(name)) return value;
  if (!value.includes('://')) return value.replace(/[^,:]+:/g, ':');
  const url = new URL(value);
  return `${url.protocol}//${url.username}@:${url.port}${url.pathname}${url.search}`;
}

function assertSameEnv(service: string, compose: ComposeService, objects: K8sObject[], container: Container) {
  const fromCompose = Object.fromEntries(
    Object.entries(compose.environment ?? {})
      .map(([name, value]) => [name.replace(/^MYSQL_/, 'MARIADB_'), value ?? ''] as const)
      .filter(([name]) => !(ONLY_IN_COMPOSE[service] ?? []).includes(name)),
  );
  const fromK8s = Object.fromEntries(
    Object.entries(k8sEnv(objects, container)).filter(
      ([name]) => !(ONLY_IN_K8S[service] ?? []).includes(name),
    ),
  );
  assert.deepEqual(
    Object.keys(fromK8s).sort(),
    Object.keys(fromCompose).sort(),
    `${service}: the same variables`,
  );
  for (const [name, value] of Object.entries(fromCompose))
    assert.equal(withoutHosts(name, fromK8s[name] ?? ''), withoutHosts(name, value), `${service}: ${name}`);
}

/** The image line: the same repository, Kubernetes pinned within compose's tag. */
function assertSameImage(service: string, compose: ComposeService, container: Container) {
  const [composeName, composeTag] = (compose.image ?? '').split(':');
  const [name, tag] = container.image.split(':');
  assert.equal(name, composeName, `${service}: image`);
  if (composeTag !== 'latest')
    assert.ok(tag.startsWith(`${composeTag}.`), `${service}: ${tag} within ${composeTag}`);
}

function mountPaths(container: Container): string[] {
  return (container.volumeMounts ?? []).map((m: { mountPath: string }) => m.mountPath);
}

describe('Compose and Kubernetes agree, service by service', () => {
  const skip = binariesSkip({
    'docker-compose': 'docker-compose',
    kubectl: 'kubernetes-client',
    python3: 'python3-yaml',
  });
  if (skip !== false) {
    it('agree', { skip }, () => {});
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'clima-agree-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let local: Compose;
  let cloud: Compose;
  let galera: Compose;
  let single: K8sObject[];
  let ha: K8sObject[];
  before(async () => {
    // The operator's choices for the edge, nothing else: every other value is compose's default.
    const env = join(dir, 'test.env');
    writeFileSync(env, 'CLOUD_HOST=cloud.example.org\nCLIMA_SENSOR_PASSWORD=s\nCLIMA_READER_PASSWORD=r\n');
    local = await composeConfig(LOCAL, ['compose.yaml'], env);
    cloud = await composeConfig(CLOUD, ['compose.yaml'], env);
    galera = await composeConfig(CLOUD, ['compose.galera.yaml'], env);
    single = await renderOverlay('single', exampleSecretFiles());
    ha = await renderOverlay('ha', exampleSecretFiles());
  });

  it('edge: dashboard, sensor, backup and ingest run the same command with the same variables, ports and paths', () => {
    const pairs = [
      ['dashboard', find(single, 'Deployment', 'clima-dashboard')],
      ['sensor', find(single, 'StatefulSet', 'clima-sensor')],
      ['backup', find(single, 'CronJob', 'clima-backup')],
      ['ingest', find(single, 'StatefulSet', 'clima-ingest')],
    ] as const;
    for (const [service, workload] of pairs) {
      const compose = local.services[service] as ComposeService;
      const container = podTemplate(workload).spec.containers[0];
      assertSameEnv(service, compose, single, container);
      assertSameImage(service, compose, container);
      assert.ok(compose.command?.length, service);
      if (service === 'backup') {
        // One snapshot per run of the schedule, which is compose's interval.
        assert.deepEqual(container.args, [...(compose.command ?? []), '--once']);
        assert.equal(compose.environment?.BACKUP_INTERVAL_S, '600');
        assert.equal(workload.spec.schedule, '*/10 * * * *');
      } else assert.deepEqual(container.args, compose.command, `${service}: command`);
      const ports = (container.ports ?? []).map((p: { containerPort: number }) => p.containerPort);
      const composePorts = [
        ...(compose.ports ?? []).map((p) => Number(p.target)),
        ...(compose.environment?.SENSOR_PORT ? [Number(compose.environment.SENSOR_PORT)] : []),
      ];
      assert.deepEqual(ports, composePorts, `${service}: ports`);
      // Where its data and its CA are: the same paths inside the container.
      for (const volume of compose.volumes ?? []) {
        const target = volume.split(':')[1] as string;
        assert.ok(mountPaths(container).includes(target), `${service}: ${target} mounted`);
      }
    }
  });

  it('edge: the broker, the same image line, configuration files where mosquitto.conf names them, port and state', () => {
    const compose = local.services.mosquitto as ComposeService;
    const broker = find(single, 'StatefulSet', 'clima-mosquitto');
    const container = podTemplate(broker).spec.containers[0];
    assertSameImage('mosquitto', compose, container);
    assert.equal(compose.environment, undefined);
    assert.equal(container.env, undefined, 'no variables on either side');
    // Compose runs the image's command; Kubernetes writes it out.
    assert.equal(compose.command, undefined);
    assert.deepEqual(container.command, ['/usr/sbin/mosquitto', '-c', '/mosquitto/config/mosquitto.conf']);
    assert.deepEqual(
      container.ports.map((p: { containerPort: number }) => p.containerPort),
      compose.ports?.map((p) => Number(p.target)),
    );
    // Each file compose mounts, at the same path: in a mounted folder whose volume has it.
    const volumes = podTemplate(broker).spec.volumes;
    for (const volume of compose.volumes ?? []) {
      const [source, target] = volume.split(':') as [string, string];
      if (mountPaths(container).includes(target)) continue;
      const folder = target.slice(0, target.lastIndexOf('/'));
      const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === folder);
      assert.ok(mount, `mosquitto: ${target} in a mounted folder`);
      const files = volumes
        .find((v: { name: string }) => v.name === mount.name)
        .projected.sources.flatMap((s: Container) => {
          const ref = s.configMap ?? s.secret;
          const object = find(
            single,
            s.configMap ? 'ConfigMap' : 'Secret',
            ref.name.replace(/-[a-z0-9]{10}$/, ''),
          );
          return ref.items?.map((i: { path: string }) => i.path) ?? Object.keys(object.data ?? {});
        });
      const name = target.slice(folder.length + 1);
      assert.ok(files.includes(name), `mosquitto: ${target} (compose's ${source})`);
    }
  });

  it('cloud: the proxy renders the same way, from the same variables, on the same port', () => {
    for (const [compose, objects] of [
      [cloud, single],
      [galera, ha],
    ] as const) {
      const proxy = compose.services['nginx-proxy'] as ComposeService;
      const container = podTemplate(find(objects, 'Deployment', 'clima-proxy')).spec.containers[0];
      assertSameEnv('nginx-proxy', proxy, objects, container);
      assertSameImage('nginx-proxy', proxy, container);
      assert.deepEqual(container.command, proxy.command, 'the same command, word for word');
      assert.deepEqual(
        container.ports.map((p: { containerPort: number }) => p.containerPort),
        proxy.ports?.map((p) => Number(p.target)),
      );
      assert.ok(mountPaths(container).includes('/etc/clima-nginx'));
    }
  });

  it('cloud: the database runs with the same flags, variables and data path; the cluster with the same Galera settings', () => {
    const db = cloud.services['db-master'] as ComposeService;
    const k8sDb = podTemplate(find(single, 'StatefulSet', 'clima-db')).spec.containers[0];
    assert.deepEqual(k8sDb.args, db.command, 'the same flags');
    assertSameEnv('db-master', db, single, k8sDb);
    // The same server for one node as for the cluster's: MariaDB (compose's db-master is MySQL 8).
    assertSameImage('db-node-1', galera.services['db-node-1'] as ComposeService, k8sDb);
    assert.ok(mountPaths(k8sDb).includes('/var/lib/mysql'));
    const node = galera.services['db-node-1'] as ComposeService;
    const k8sNode = podTemplate(find(ha, 'StatefulSet', 'clima-db')).spec.containers[0];
    // The names of the nodes: db-node-N in compose, clima-db-(N-1).clima-db in the StatefulSet.
    const named = (node.command ?? []).map((flag) =>
      flag.replace(/db-node-(\d)/g, (_, n: string) => `clima-db-${Number(n) - 1}.clima-db`),
    );
    assert.deepEqual(k8sNode.args, named, 'the same flags, TLS and Galera');
    assertSameEnv('db-node-1', node, ha, k8sNode);
    assert.match(
      k8sNode.command.join(' '),
      /exec \/etc\/clima-galera\/galera-node\.sh/,
      "compose's entrypoint",
    );
    assert.deepEqual(node.entrypoint ?? ['/etc/clima-galera/galera-node.sh'], [
      '/etc/clima-galera/galera-node.sh',
    ]);
  });
});
