// The Kubernetes deployment (deploy/k8s), checked without a cluster: each overlay rendered by
// `kubectl kustomize`, every object validated against the schemas of Kubernetes 1.33 (the
// kubernetes-models package, 4.5), then the project's own rules over what was rendered.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { binariesSkip } from '../support/hybrid.js';
import {
  exampleSecretFiles,
  find,
  type K8sObject,
  OVERLAYS,
  type Overlay,
  parseYaml,
  podTemplate,
  renderOverlay,
  selects,
  workloads,
} from '../support/kustomize.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const K8S = join(ROOT, 'deploy/k8s');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The schema of each kind the deployment uses, by apiVersion and kind; any other kind fails. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'batch/v1/CronJob': CronJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** The paper's 2 vCPU / 2 GB: no container may be allowed more. */
const MAX_CPU_MILLI = 2000;
const MAX_MEMORY_BYTES = 2 * 1024 ** 3;
const DB = { 'app.kubernetes.io/name': 'clima', 'app.kubernetes.io/component': 'database' };
const GALERA_PORTS = [4444, 4567, 4568];

// biome-ignore lint/suspicious/noExplicitAny: containers of rendered pod templates, schema-checked above.
type Container = any;

function containers(workload: K8sObject): Container[] {
  const spec = podTemplate(workload).spec;
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function cpuMilli(text: string): number {
  return text.endsWith('m') ? Number(text.slice(0, -1)) : Number(text) * 1000;
}

function bytes(text: string): number {
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, K: 1e3, M: 1e6, G: 1e9 };
  const match = /^(\d+)([KMG]i?)?$/.exec(text);
  assert.ok(match, `a quantity: ${text}`);
  return Number(match[1]) * (match[2] ? (units[match[2]] as number) : 1);
}

/** An env var's literal value in a container, or undefined. */
function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((entry: { name: string }) => entry.name === name)?.value;
}

/** The container port a probe or Service names, by name or number. */
function containerPort(container: Container, port: number | string): number | undefined {
  return container.ports?.find(
    (p: { name?: string; containerPort: number }) => p.name === port || p.containerPort === port,
  )?.containerPort;
}

/**
 * The object as the API server decodes it: kustomize wraps a Secret's long base64 values over
 * several lines, which Go's base64 decoder skips but the schema's `byte` format does not.
 */
function asApplied(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret') return object;
  const data = Object.entries(object.data ?? {}).map(([key, value]) => [key, value.replace(/\n/g, '')]);
  return { ...object, data: Object.fromEntries(data) };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the Kubernetes manifests (kubectl kustomize, no cluster)', () => {
  const skip = binariesSkip({ kubectl: 'kubernetes-client', python3: 'python3-yaml' });
  if (skip !== false) {
    it('render', { skip }, () => {});
    return;
  }
  const secrets = exampleSecretFiles();
  const rendered = {} as Record<Overlay, K8sObject[]>;
  before(async () => {
    for (const overlay of OVERLAYS) rendered[overlay] = await renderOverlay(overlay, secrets);
  });
  const eachOverlay = (
    title: string,
    check: (objects: K8sObject[], overlay: Overlay) => void | Promise<void>,
  ) => {
    for (const overlay of OVERLAYS) it(`${overlay}: ${title}`, () => check(rendered[overlay], overlay));
  };

  eachOverlay(
    'every object is valid against the Kubernetes 1.33 schemas, in the clima namespace',
    (objects) => {
      assert.ok(objects.length > 20, `rendered ${objects.length} objects`);
      for (const object of objects) {
        const model = MODELS[`${object.apiVersion}/${object.kind}`];
        assert.ok(
          model,
          `${object.apiVersion} ${object.kind} ${object.metadata.name}: a kind the deployment uses`,
        );
        assert.doesNotThrow(
          () => new model(asApplied(object) as never).validate(),
          `${object.kind} ${object.metadata.name}`,
        );
        if (object.kind !== 'Namespace')
          assert.equal(object.metadata.namespace, 'clima', object.metadata.name);
      }
      const namespace = find(objects, 'Namespace', 'clima');
      assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    },
  );

  it('a schema violation is caught: a port that is not a number', () => {
    const proxy = structuredClone(find(rendered.single, 'Deployment', 'clima-proxy'));
    proxy.spec.template.spec.containers[0].ports[0].containerPort = 'thirty-three';
    assert.throws(() => new Deployment(proxy as never).validate(), /containerPort must be integer/);
  });

  eachOverlay(
    'every container: probes, requests and limits within 2 CPU / 2 GB, locked down, image pinned',
    (objects) => {
      for (const workload of workloads(objects)) {
        const pod = podTemplate(workload).spec;
        const where = `${workload.kind} ${workload.metadata.name}`;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
        assert.ok(pod.securityContext?.runAsUser > 0, `${where}: a non-root user`);
        assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: seccomp`);
        const runsToCompletion = workload.kind === 'Job' || workload.kind === 'CronJob';
        for (const container of containers(workload)) {
          const name = `${where}/${container.name}`;
          const security = container.securityContext ?? {};
          assert.equal(security.allowPrivilegeEscalation, false, `${name}: no privilege escalation`);
          assert.equal(security.readOnlyRootFilesystem, true, `${name}: read-only root filesystem`);
          assert.deepEqual(security.capabilities?.drop, ['ALL'], `${name}: every capability dropped`);
          assert.equal(security.capabilities?.add, undefined, `${name}: none added`);
          assert.equal(security.privileged ?? false, false, name);
          for (const kind of ['requests', 'limits'])
            for (const resource of ['cpu', 'memory'])
              assert.ok(container.resources?.[kind]?.[resource], `${name}: ${kind}.${resource}`);
          assert.ok(cpuMilli(container.resources.limits.cpu) <= MAX_CPU_MILLI, `${name}: cpu limit`);
          assert.ok(bytes(container.resources.limits.memory) <= MAX_MEMORY_BYTES, `${name}: memory limit`);
          assert.ok(
            cpuMilli(container.resources.requests.cpu) <= cpuMilli(container.resources.limits.cpu),
            `${name}: request within limit`,
          );
          // An image by version (clima's own: this release's), never a moving tag.
          const [image, tag] = (container.image as string).split(':');
          assert.match(tag ?? '', /^\d+\.\d+\.\d+$/, `${name}: ${container.image} pinned to a version`);
          if (image === 'clima') assert.equal(tag, VERSION, `${name}: the clima image of this release`);
          if (runsToCompletion) continue;
          // Probes on a port the container declares, and (for HTTP) a path of its own.
          for (const probe of ['livenessProbe', 'readinessProbe']) {
            const spec = container[probe];
            assert.ok(spec, `${name}: ${probe}`);
            const port = spec.httpGet?.port ?? spec.tcpSocket?.port;
            if (port !== undefined)
              assert.ok(containerPort(container, port), `${name}: ${probe} port ${port} declared`);
            else assert.ok(spec.exec?.command?.length, `${name}: ${probe} runs a command`);
          }
        }
        // Writable only where a volume is: an emptyDir or a claim, never a Secret or a ConfigMap.
        const claims = new Set<string>(
          (workload.spec.volumeClaimTemplates ?? []).map((c: K8sObject) => c.metadata.name),
        );
        const volumes = new Map<string, Record<string, unknown>>(
          (pod.volumes ?? []).map((v: { name: string }) => [v.name, v]),
        );
        for (const container of containers(workload))
          for (const mount of container.volumeMounts ?? []) {
            const volume = volumes.get(mount.name);
            assert.ok(volume || claims.has(mount.name), `${where}: volume ${mount.name} declared`);
            const writable = claims.has(mount.name) || volume?.emptyDir || volume?.persistentVolumeClaim;
            if (!writable) assert.equal(mount.readOnly, true, `${where}: ${mount.mountPath} read-only`);
          }
      }
    },
  );

  eachOverlay('every Secret and ConfigMap a workload names exists, with the key it reads', (objects) => {
    const has = (kind: string, name: string, key?: string) => {
      const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
      assert.ok(object, `${kind} ${name} exists`);
      if (key !== undefined) assert.ok(key in (object.data ?? {}), `${kind} ${name} has ${key}`);
    };
    for (const workload of workloads(objects)) {
      for (const container of containers(workload))
        for (const entry of container.env ?? []) {
          const from = entry.valueFrom;
          if (from?.secretKeyRef) has('Secret', from.secretKeyRef.name, from.secretKeyRef.key);
          if (from?.configMapKeyRef) has('ConfigMap', from.configMapKeyRef.name, from.configMapKeyRef.key);
        }
      for (const volume of podTemplate(workload).spec.volumes ?? []) {
        if (volume.secret) has('Secret', volume.secret.secretName);
        if (volume.configMap) has('ConfigMap', volume.configMap.name);
        if (volume.persistentVolumeClaim)
          has('PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
        for (const source of volume.projected?.sources ?? []) {
          if (source.secret) has('Secret', source.secret.name);
          if (source.configMap) has('ConfigMap', source.configMap.name);
        }
      }
    }
  });

  eachOverlay('every Service selects pods and targets a port they declare', (objects) => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const pods = workloads(objects).filter((w) =>
        selects(service.spec.selector, podTemplate(w).metadata.labels ?? {}),
      );
      assert.ok(pods.length > 0, `Service ${service.metadata.name} selects a workload`);
      for (const port of service.spec.ports)
        for (const pod of pods)
          assert.ok(
            containers(pod).some((c) => containerPort(c, port.targetPort ?? port.port)),
            `Service ${service.metadata.name}: ${pod.metadata.name} declares ${port.targetPort}`,
          );
    }
  });

  it('no Secret value in the base: no Secret object committed, the operator provides the files', async () => {
    const files = filesUnder(K8S);
    for (const file of files.filter((f) => f.endsWith('.yaml')))
      assert.doesNotMatch(readFileSync(file, 'utf8'), /^kind:\s*Secret\b/m, `${file} holds no Secret`);
    const { stdout } = await run('git', ['ls-files', 'deploy/k8s'], { cwd: ROOT });
    const secretDirs = stdout.split('\n').filter((path) => /\/secrets\//.test(path));
    assert.deepEqual(secretDirs.sort(), [
      'deploy/k8s/base/secrets/.gitignore',
      'deploy/k8s/overlays/ha/secrets/.gitignore',
    ]);
    for (const path of secretDirs)
      assert.match(readFileSync(join(ROOT, path), 'utf8'), /^\*$/m, `${path} ignores every secret file`);
    // Generated from the operator's files only: no value written into a kustomization.
    const kustomizations = [
      ...files,
      join(ROOT, 'deploy/cloud/kustomization.yaml'),
      join(ROOT, 'deploy/local/kustomization.yaml'),
    ].filter((f) => f.endsWith('kustomization.yaml'));
    for (const file of kustomizations) {
      const [kustomization] = (await parseYaml(readFileSync(file, 'utf8'))) as {
        secretGenerator?: { literals?: unknown; envs?: unknown; files?: string[] }[];
      }[];
      for (const generator of kustomization?.secretGenerator ?? []) {
        assert.equal(generator.literals ?? generator.envs, undefined, `${file}: no literal secret`);
        for (const source of generator.files ?? [])
          assert.match(source, /^secrets\/[^/]+$/, `${file}: ${source}`);
      }
    }
  });

  eachOverlay("every Secret holds the operator's files, byte for byte", (objects, overlay) => {
    const given = { ...secrets.base, ...(overlay === 'ha' ? secrets.ha : {}) };
    const secretObjects = objects.filter((o) => o.kind === 'Secret');
    assert.ok(secretObjects.length >= 4);
    for (const secret of secretObjects) {
      assert.equal(secret.stringData, undefined);
      for (const [key, value] of Object.entries(secret.data ?? {}))
        assert.equal(Buffer.from(value, 'base64').toString(), given[key], `${secret.metadata.name}/${key}`);
    }
  });

  eachOverlay('the proxy renders from the files of deploy/cloud/nginx, unchanged', (objects) => {
    const config = find(objects, 'ConfigMap', 'clima-proxy-nginx');
    for (const file of ['nginx.conf.template', 'render-nginx-conf.sh'])
      assert.equal(config.data?.[file], readFileSync(join(ROOT, 'deploy/cloud/nginx', file), 'utf8'), file);
    const initdb = find(objects, 'ConfigMap', 'clima-initdb');
    for (const file of ['01-schema.sql', '02-users.sh'])
      assert.equal(initdb.data?.[file], readFileSync(join(ROOT, 'deploy/cloud/initdb', file), 'utf8'), file);
    const proxy = find(objects, 'Deployment', 'clima-proxy');
    assert.equal(proxy.spec.replicas, 2);
    const nginx = proxy.spec.template.spec.containers[0];
    assert.equal(containerPort(nginx, 'mysql'), 33060);
    assert.equal(envValue(nginx, 'PROXY_LISTEN'), '33060');
    const service = find(objects, 'Service', 'clima-proxy');
    assert.deepEqual(
      service.spec.ports.map((p: { port: number }) => p.port),
      [33060],
    );
    const pdb = find(objects, 'PodDisruptionBudget', 'clima-proxy');
    assert.ok(selects(pdb.spec.selector.matchLabels, proxy.spec.template.metadata.labels));
  });

  eachOverlay('only the proxy reaches the database; only database clients reach the proxy', (objects) => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find((p) => Object.keys(p.spec.podSelector).length === 0);
    assert.ok(deny, 'a default policy selects every pod');
    assert.deepEqual(deny.spec.policyTypes, ['Ingress']);
    assert.equal(deny.spec.ingress, undefined, 'and lets nothing in');
    const selecting = (labels: Record<string, string>) =>
      policies.filter((p) => selects(p.spec.podSelector.matchLabels ?? {}, labels));
    const database = find(objects, 'StatefulSet', 'clima-db');
    const dbLabels = podTemplate(database).metadata.labels;
    const dbPolicies = selecting(dbLabels).filter((p) => p !== deny);
    assert.ok(dbPolicies.length > 0, 'a NetworkPolicy selects every database pod');
    const proxyLabels = podTemplate(find(objects, 'Deployment', 'clima-proxy')).metadata.labels;
    for (const policy of dbPolicies)
      for (const rule of policy.spec.ingress) {
        const ports = rule.ports.map((p: { port: number }) => p.port).sort();
        for (const peer of rule.from) {
          const labels = peer.podSelector?.matchLabels;
          assert.ok(labels && !peer.ipBlock && !peer.namespaceSelector, `${policy.metadata.name}: pods only`);
          if (selects(labels, proxyLabels)) assert.deepEqual(ports, [3306], 'the proxy, on MySQL only');
          else {
            assert.deepEqual(labels, dbLabels, `${policy.metadata.name}: only the proxy, or another node`);
            assert.deepEqual(ports, GALERA_PORTS, 'nodes to each other on Galera ports only');
          }
        }
      }
    // Which pods use the database, by their DATABASE_URL, is who the proxy lets in.
    const proxyPolicies = selecting(proxyLabels).filter((p) => p !== deny);
    assert.equal(proxyPolicies.length, 1);
    const [clients] = proxyPolicies[0]?.spec.ingress ?? [];
    assert.deepEqual(clients.ports, [{ port: 33060, protocol: 'TCP' }]);
    for (const workload of workloads(objects)) {
      const labels = podTemplate(workload).metadata.labels;
      const usesDatabase = containers(workload).some((c) =>
        envValue(c, 'DATABASE_URL')?.includes('@clima-proxy:'),
      );
      const admitted = clients.from.some((peer: { podSelector: { matchLabels: Record<string, string> } }) =>
        selects(peer.podSelector.matchLabels, labels),
      );
      assert.equal(
        admitted,
        usesDatabase,
        `${workload.metadata.name}: reaches the proxy iff it uses the database`,
      );
    }
  });

  eachOverlay('each service its own account: only the migrate Job is an administrator', (objects) => {
    const accounts = Object.fromEntries(
      workloads(objects).flatMap((w) =>
        containers(w).flatMap((c) => {
          const url = envValue(c, 'DATABASE_URL');
          return url === undefined ? [] : [[w.metadata.name, new URL(url).username]];
        }),
      ),
    );
    assert.deepEqual(accounts, {
      'clima-dashboard': 'clima_reader',
      'clima-sensor': 'clima_sensor',
      'clima-backup': 'clima_reader',
      'clima-migrate': 'clima_admin',
      'clima-ingest': 'clima_sensor',
    });
  });

  eachOverlay(
    'database: a StatefulSet on its own volume, TLS required, never published',
    (objects, overlay) => {
      const db = find(objects, 'StatefulSet', 'clima-db');
      const [mariadb] = db.spec.template.spec.containers;
      assert.ok(
        mariadb.volumeMounts.some(
          (m: { name: string; mountPath: string }) =>
            m.name === 'mysql-data' && m.mountPath === '/var/lib/mysql',
        ),
      );
      assert.equal(db.spec.volumeClaimTemplates[0].metadata.name, 'mysql-data');
      assert.ok(mariadb.args.includes('--require-secure-transport=ON'));
      // Slow to start (initdb, a state transfer): a startup probe holds the liveness probe off.
      assert.ok(mariadb.startupProbe?.failureThreshold * mariadb.startupProbe?.periodSeconds >= 300);
      assert.equal(envValue(mariadb, 'MARIADB_ROOT_HOST'), 'localhost', 'no root over the network');
      assert.equal(find(objects, 'Service', 'clima-db').spec.clusterIP, 'None');
      for (const service of objects.filter((o) => o.kind === 'Service'))
        assert.ok(
          !['LoadBalancer', 'NodePort'].includes(service.spec.type),
          `${service.metadata.name} stays inside`,
        );
      if (overlay === 'single') {
        assert.equal(db.spec.replicas, 1);
        return;
      }
      assert.equal(db.spec.replicas, 3);
      assert.equal(db.spec.podManagementPolicy, 'OrderedReady', 'node 1 first, then each joiner in turn');
      const [term] =
        db.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      assert.equal(term.topologyKey, 'kubernetes.io/hostname');
      assert.deepEqual(term.labelSelector.matchLabels, DB);
      const pdb = find(objects, 'PodDisruptionBudget', 'clima-db');
      assert.equal(pdb.spec.minAvailable, 2, 'quorum kept through a drain');
      assert.deepEqual(pdb.spec.selector.matchLabels, DB);
      const headless = find(objects, 'Service', 'clima-db');
      assert.equal(
        headless.spec.publishNotReadyAddresses,
        true,
        'a joiner finds the others before it is ready',
      );
      const nodes = [0, 1, 2].map((i) => `clima-db-${i}.clima-db`);
      assert.ok(mariadb.args.includes(`--wsrep-cluster-address=gcomm://${nodes.join(',')}`));
      assert.equal(
        envValue(
          find(objects, 'Deployment', 'clima-proxy').spec.template.spec.containers[0],
          'DATABASE_UPSTREAM',
        ),
        nodes.map((node) => `${node}:3306`).join(','),
      );
      assert.ok(
        podTemplate(db).spec.volumes.some(
          (v: { name: string; projected?: { sources: { configMap?: { items?: { key: string }[] } }[] } }) =>
            v.name === 'initdb' &&
            v.projected?.sources.some((s) => s.configMap?.items?.[0]?.key === '03-sst-account.sh'),
        ),
        'the state-transfer account is created with the others',
      );
    },
  );

  eachOverlay(
    'edge: dashboard with its autoscaler, two sensors with an outbox each, backup every 10 minutes',
    (objects) => {
      const dashboard = find(objects, 'Deployment', 'clima-dashboard');
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'clima-dashboard');
      assert.deepEqual(hpa.spec.scaleTargetRef, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'clima-dashboard',
      });
      assert.ok(hpa.spec.maxReplicas > hpa.spec.minReplicas);
      assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
      assert.ok(
        dashboard.spec.template.spec.containers[0].resources.requests.cpu,
        'CPU utilisation needs a request',
      );
      assert.equal(dashboard.spec.template.spec.containers[0].readinessProbe.httpGet.path, '/readyz');
      const sensor = find(objects, 'StatefulSet', 'clima-sensor');
      assert.equal(sensor.spec.replicas, 2);
      const [outbox] = sensor.spec.volumeClaimTemplates;
      const sensorContainer = sensor.spec.template.spec.containers[0];
      const dataDir = envValue(sensorContainer, 'DATA_DIR');
      assert.ok(
        sensorContainer.volumeMounts.some(
          (m: { name: string; mountPath: string }) =>
            m.name === outbox.metadata.name && m.mountPath === dataDir,
        ),
        'DATA_DIR (the outbox) is on the claim of each replica',
      );
      const backup = find(objects, 'CronJob', 'clima-backup');
      assert.equal(backup.spec.schedule, '*/10 * * * *');
      assert.equal(backup.spec.concurrencyPolicy, 'Forbid');
      const backupContainer = podTemplate(backup).spec.containers[0];
      assert.deepEqual(backupContainer.args, ['backup', '--once']);
      const backupDir = envValue(backupContainer, 'BACKUP_DIR');
      const mount = backupContainer.volumeMounts.find(
        (m: { mountPath: string }) => m.mountPath === backupDir,
      );
      const volume = podTemplate(backup).spec.volumes.find((v: { name: string }) => v.name === mount?.name);
      assert.equal(
        volume?.persistentVolumeClaim?.claimName,
        'clima-backups',
        'snapshots on their own volume',
      );
      const migrate = find(objects, 'Job', 'clima-migrate');
      assert.deepEqual(podTemplate(migrate).spec.containers[0].args, ['migrate']);
    },
  );

  eachOverlay(
    "stations: the broker on deploy/local/mosquitto's files and its own volume, one clima-ingest with its outbox",
    (objects) => {
      const config = find(objects, 'ConfigMap', 'clima-mosquitto');
      for (const file of ['mosquitto.conf', 'acl'])
        assert.equal(
          config.data?.[file],
          readFileSync(join(ROOT, 'deploy/local/mosquitto', file), 'utf8'),
          `${file}: deploy/local's, unchanged`,
        );
      const broker = find(objects, 'StatefulSet', 'clima-mosquitto');
      assert.equal(broker.spec.replicas, 1);
      const [mosquitto] = podTemplate(broker).spec.containers;
      assert.equal(containerPort(mosquitto, 'mqtt'), 1883);
      for (const probe of ['livenessProbe', 'readinessProbe'])
        assert.equal(mosquitto[probe].tcpSocket?.port, 'mqtt', probe);
      const mount = (container: Container, path: string) =>
        container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === path);
      // Where mosquitto.conf says its files are: passwd and acl beside it, persistence on the claim.
      const conf = config.data?.['mosquitto.conf'] as string;
      assert.match(conf, /^password_file \/mosquitto\/config\/passwd$/m);
      assert.match(conf, /^acl_file \/mosquitto\/config\/acl$/m);
      assert.match(conf, /^persistence_location \/mosquitto\/data\/$/m);
      assert.deepEqual(mosquitto.command, ['/usr/sbin/mosquitto', '-c', '/mosquitto/config/mosquitto.conf']);
      const configVolume = podTemplate(broker).spec.volumes.find(
        (v: { name: string }) => v.name === mount(mosquitto, '/mosquitto/config')?.name,
      );
      const [fromConfigMap, fromSecret] = configVolume.projected.sources;
      assert.equal(fromConfigMap.configMap.name, config.metadata.name);
      assert.equal(fromSecret.secret.name, find(objects, 'Secret', 'clima-mosquitto-passwd').metadata.name);
      assert.deepEqual(fromSecret.secret.items, [{ key: 'mosquitto_passwd', path: 'passwd' }]);
      assert.equal(
        mount(mosquitto, '/mosquitto/data')?.name,
        broker.spec.volumeClaimTemplates[0].metadata.name,
      );
      const service = find(objects, 'Service', 'clima-mosquitto');
      assert.deepEqual(
        service.spec.ports.map((p: { port: number }) => p.port),
        [1883],
      );

      const ingest = find(objects, 'StatefulSet', 'clima-ingest');
      assert.equal(ingest.spec.replicas, 1, 'one persistent session per client id: one subscriber');
      assert.notEqual(ingest.spec.podManagementPolicy, 'Parallel');
      const [container] = podTemplate(ingest).spec.containers;
      assert.deepEqual(container.args, ['ingest']);
      assert.equal(envValue(container, 'MQTT_CLIENT_ID'), 'clima-ingest');
      assert.equal(envValue(container, 'MQTT_URL'), undefined, 'the URL holds a password: a file');
      assert.equal(envValue(container, 'STATIONS'), undefined);
      assert.equal(
        mount(container, envValue(container, 'DATA_DIR') as string)?.name,
        ingest.spec.volumeClaimTemplates[0].metadata.name,
        'DATA_DIR (its outbox) on its own claim',
      );
      // MQTT_URL_FILE and STATIONS_FILE: files of the Secrets made from the operator's files.
      const volumes = podTemplate(ingest).spec.volumes;
      const stations = mount(container, envValue(container, 'STATIONS_FILE') as string);
      assert.equal(stations.subPath, 'stations.json');
      const stationsVolume = volumes.find((v: { name: string }) => v.name === stations.name);
      assert.equal(stationsVolume.secret.secretName, find(objects, 'Secret', 'clima-stations').metadata.name);
      const urlFile = envValue(container, 'MQTT_URL_FILE') as string;
      const secrets = mount(container, urlFile.slice(0, urlFile.lastIndexOf('/')));
      const secretsVolume = volumes.find((v: { name: string }) => v.name === secrets.name);
      assert.ok(
        secretsVolume.projected.sources.some(
          (s: { secret?: { name: string } }) =>
            s.secret?.name === find(objects, 'Secret', 'clima-mqtt').metadata.name,
        ),
      );
      assert.equal(urlFile.slice(urlFile.lastIndexOf('/') + 1), 'mqtt_url');
      for (const [probe, path] of [
        ['startupProbe', '/healthz'],
        ['livenessProbe', '/healthz'],
        ['readinessProbe', '/readyz'],
      ] as const) {
        assert.equal(container[probe].httpGet?.path, path, probe);
        assert.equal(
          containerPort(container, container[probe].httpGet.port),
          Number(envValue(container, 'SENSOR_PORT')),
        );
      }
    },
  );

  eachOverlay('the broker admits clima-ingest and the stations, on MQTT only', (objects) => {
    const brokerLabels = podTemplate(find(objects, 'StatefulSet', 'clima-mosquitto')).metadata.labels;
    const ingestLabels = podTemplate(find(objects, 'StatefulSet', 'clima-ingest')).metadata.labels;
    const policies = objects.filter(
      (o) =>
        o.kind === 'NetworkPolicy' &&
        Object.keys(o.spec.podSelector).length > 0 &&
        selects(o.spec.podSelector.matchLabels ?? {}, brokerLabels),
    );
    const peers = policies.flatMap((policy) =>
      policy.spec.ingress.flatMap((rule: { from: unknown[]; ports: unknown }) => {
        assert.deepEqual(rule.ports, [{ port: 1883, protocol: 'TCP' }], policy.metadata.name);
        return rule.from;
      }),
    ) as { podSelector?: { matchLabels: Record<string, string> }; ipBlock?: { cidr: string } }[];
    const pods = peers.filter((peer) => peer.podSelector);
    assert.equal(pods.length, 1, 'of the pods, clima-ingest only');
    assert.ok(selects(pods[0]?.podSelector?.matchLabels ?? {}, ingestLabels));
    for (const workload of workloads(objects).filter((w) => w.metadata.name !== 'clima-ingest'))
      assert.ok(!selects(pods[0]?.podSelector?.matchLabels ?? {}, podTemplate(workload).metadata.labels));
    // The stations: the private networks by default, the blocks an operator narrows.
    assert.deepEqual(
      peers.filter((peer) => peer.ipBlock).map((peer) => peer.ipBlock?.cidr),
      ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    );
    assert.equal(peers.length, pods.length + 3, 'nothing else');
  });

  it("the administrator's account script passes shellcheck and is sourced, not executed", async (t) => {
    const script = join(K8S, 'base/database/initdb/04-admin-account.sh');
    assert.equal(statSync(script).mode & 0o111, 0, 'non-executable: the entrypoint sources it');
    if (binariesSkip({ shellcheck: 'shellcheck' }) !== false) return t.skip('no shellcheck');
    await run('shellcheck', [script]);
  });
});
