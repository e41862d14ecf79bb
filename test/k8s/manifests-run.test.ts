// The Kubernetes manifests run: each workload of overlays/single (and ha's proxy config) becomes a
// local process (the built clima, or nginx for the proxy) with its container's command, arguments,
// environment (resolved from the rendered ConfigMaps and Secrets) and volumes (folders filled as
// the kubelet fills them), against the hybrid topology's database, and must pass its own readiness
// probe as the manifest writes it (path and port). The mappings a cluster would do, done here explicitly:
//   - each pod listens on a loopback address of its own (127.A.B.n): the manifests' wildcard
//     (HOST unset, PROXY_LISTEN a bare port) becomes that address; ports stay as written;
//   - a Service's `name:port` (clima-proxy:33060, clima-db:3306, clima-sensor:9464) becomes the
//     address of the pod it selects, at the container port its targetPort names; the database
//     pod is the topology's mariadbd (TLS required, deploy/cloud/initdb run);
//   - a mount path in a value or an argument becomes its folder; the image's /app is this
//     checkout's dist/ (built by `npm test`), tini is left out; nginx's default config path is
//     passed to it (-c), its logs are files of its /tmp, and its stream module is loaded where
//     Debian builds it dynamically.
// A renamed variable or a wrong port in a manifest makes a probe or a check below fail.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findBinary } from '../../scripts/hybrid/binaries.js';
import { runInitFiles } from '../../scripts/hybrid/database.js';
import { streamModule, testProxyConfig } from '../../scripts/hybrid/proxy.js';
import { makeCertificates } from '../../scripts/hybrid/tls.js';
import { layout, type Topology } from '../../scripts/hybrid/topology.js';
import { registerCleanup } from '../support/cleanup-on-exit.js';
import { adminQuery, binariesSkip } from '../support/hybrid.js';
import { startCloudOnly } from '../support/hybrid-cloud.js';
import { type Endpoint, type LocalPod, podAddress, preparePod, probeOnce } from '../support/k8s-pod.js';
import { find, type K8sObject, renderOverlay } from '../support/kustomize.js';
import { type RunningClima, runClima, startClima, waitFor } from '../support/run-clima.js';

const run = promisify(execFile);
const CLIMA = new URL('../../dist/bundle/clima.js', import.meta.url).pathname;
const MIGRATIONS = [
  '0001-create-mediciones',
  '0002-database-identity',
  '0003-create-rollups',
  '0004-add-station',
  '0005-create-alerts',
];
const READY_MS = 30_000;

/** The operator's secret files, from the topology: its accounts' passwords and its CA. */
function secretsFrom(topology: Topology) {
  const paths = layout(topology.stateDir);
  const secret = (name: string) => readFileSync(join(paths.secretsDir, name), 'utf8');
  const tls = (name: string) => readFileSync(join(paths.tlsDir, name), 'utf8');
  const random = () => `${randomBytes(24).toString('hex')}\n`;
  return {
    base: {
      mysql_root_password: random(),
      clima_sensor_password: secret('clima_sensor_password'),
      clima_reader_password: secret('clima_reader_password'),
      clima_admin_password: random(),
      metrics_token: random(),
      'ca.pem': tls('ca.pem'),
      'server-cert.pem': tls('server-cert.pem'),
      'server-key.pem': tls('server-key.pem'),
    },
    ha: { clima_sst_password: random() },
  };
}

/** Polls the container's readiness probe, as the kubelet does, until it passes. */
async function becomesReady(pod: LocalPod, what: RunningClima | { stderr(): string }): Promise<void> {
  const probe = pod.container.readinessProbe;
  assert.ok(probe, `${pod.workload.metadata.name} has a readiness probe`);
  await waitFor(
    async () => ((await probeOnce(pod, probe)) ? true : undefined),
    READY_MS,
    `${pod.workload.metadata.name}'s readiness probe (${JSON.stringify(probe.httpGet ?? probe.tcpSocket)})\n${what.stderr()}`,
  );
}

/** A clima container's process: its argv must be the image's entrypoint, clima.js. */
function startPod(pod: LocalPod, overrides: Record<string, string> = {}): RunningClima {
  const [command, ...args] = pod.argv;
  assert.equal(command, CLIMA, `${pod.workload.metadata.name} runs the image's clima.js`);
  const env = { ...pod.env, ...overrides };
  if (env.HOST === undefined) env.HOST = pod.address;
  const running = startClima(args, { env, cwd: pod.cwd });
  registerCleanup(() => running.child.kill('SIGKILL'));
  return running;
}

async function count(topology: Topology, statement: string): Promise<number> {
  const out = await adminQuery(topology, statement);
  return Number(out.trim().split('\n')[1]);
}

/**
 * The proxy container's command up to nginx: its first step, `sh <script> > <conf>`, run with the
 * container's environment and the mappings above. Checks the other two steps are compose's
 * `nginx -t -q` and `exec nginx -g 'daemon off;'`. Returns the config file and its text.
 */
async function renderProxy(pod: LocalPod): Promise<{ confFile: string; conf: string }> {
  const [shell, flag, script] = pod.argv;
  assert.deepEqual([shell, flag], ['/bin/sh', '-c']);
  const steps = (script as string).split(' && ');
  assert.equal(steps.length, 3, script);
  const render = /^sh (\S+) > (\S+)$/.exec(steps[0] as string);
  assert.ok(render, steps[0]);
  assert.deepEqual(steps.slice(1), ['nginx -t -q', "exec nginx -g 'daemon off;'"]);
  const [, renderScript, confFile] = render as unknown as [string, string, string];
  assert.ok(existsSync(renderScript), `${renderScript}: the ConfigMap's script, on its volume`);
  const listen = pod.env.PROXY_LISTEN as string;
  assert.match(listen, /^\d+$/, 'PROXY_LISTEN: a port, on every address of the pod');
  const module = streamModule();
  const { stdout: conf } = await run('sh', [renderScript], {
    env: {
      PATH: process.env.PATH ?? '',
      ...pod.env,
      PROXY_LISTEN: `${pod.address}:${listen}`,
      // The database is an address here: nothing to look up.
      PROXY_RESOLVER: '',
      NGINX_PID_FILE: join(pod.local('/tmp'), 'nginx.pid'),
      // The container's log: files here, since a test's stdio are sockets nginx cannot open by path.
      NGINX_ERROR_LOG: join(pod.local('/tmp'), 'error.log'),
      NGINX_ACCESS_LOG: join(pod.local('/tmp'), 'access.log'),
      ...(module === undefined ? {} : { NGINX_STREAM_MODULE: module }),
    },
  });
  writeFileSync(confFile, conf);
  return { confFile, conf };
}

describe('the Kubernetes manifests run (overlays/single, each workload a local process)', () => {
  const skip = binariesSkip() || binariesSkip({ kubectl: 'kubernetes-client', python3: 'python3-yaml' });
  if (skip !== false) {
    it('run', { skip }, () => {});
    return;
  }
  let topology: Topology;
  let stopCloud: () => void;
  let objects: K8sObject[];
  let secrets: ReturnType<typeof secretsFrom>;
  const endpoints = new Map<string, Endpoint>();
  const running: RunningClima[] = [];
  let nginx: ReturnType<typeof spawn> | undefined;

  before(async () => {
    ({ topology, stop: stopCloud } = await startCloudOnly());
    for (const name of ['clima-proxy', 'clima-sensor', 'clima-dashboard', 'clima-backup', 'clima-migrate'])
      endpoints.set(name, { address: podAddress() });
    // The database pod is the topology's mariadbd, on the port the topology gave it.
    endpoints.set('clima-db', {
      address: '127.0.0.1',
      ports: { 3306: `127.0.0.1:${topology.databasePort}` },
    });
    // The edge verifies the proxy's address against the certificate (VERIFY_IDENTITY): the
    // server's certificate names the proxy pod's address too, reloaded without a restart.
    const proxyAddress = endpoints.get('clima-proxy')?.address as string;
    await makeCertificates(layout(topology.stateDir).tlsDir, [
      'IP:127.0.0.1',
      'DNS:localhost',
      `IP:${proxyAddress}`,
    ]);
    await adminQuery(topology, 'FLUSH SSL');
    secrets = secretsFrom(topology);
    objects = await renderOverlay('single', secrets);
    // The administrator's account, by the rendered ConfigMap's script with the database container's
    // own environment (CLIMA_ADMIN_PASSWORD_FILE in its Secret volume), as its entrypoint would.
    const db = preparePod(objects, find(objects, 'StatefulSet', 'clima-db'), endpoints, '127.0.0.1');
    await runInitFiles(
      layout(topology.stateDir).socket,
      layout(topology.stateDir).secretsDir,
      [db.local('/docker-entrypoint-initdb.d/04-admin-account.sh')],
      { CLIMA_ADMIN_PASSWORD_FILE: db.env.CLIMA_ADMIN_PASSWORD_FILE as string },
    );
  });

  after(async () => {
    await Promise.all(running.map((process) => process.stop()));
    nginx?.kill('SIGTERM');
    stopCloud?.();
  });

  it("proxy: the manifest's script renders nginx.conf from its ConfigMap and env, nginx passes its probe", async () => {
    const workload = find(objects, 'Deployment', 'clima-proxy');
    const pod = preparePod(objects, workload, endpoints, endpoints.get('clima-proxy')?.address);
    const { confFile, conf } = await renderProxy(pod);
    assert.match(conf, new RegExp(`set \\$clima_database 127\\.0\\.0\\.1:${topology.databasePort};`));
    await testProxyConfig(confFile);
    const dir = pod.local('/etc/nginx');
    nginx = spawn(
      findBinary('nginx', ['/usr/sbin']),
      ['-p', dir, '-e', join(dir, 'error.log'), '-c', confFile, '-g', 'daemon off;'],
      {
        stdio: 'ignore',
      },
    );
    registerCleanup(() => nginx?.kill('SIGKILL'));
    await becomesReady(pod, { stderr: () => readFileSync(join(pod.local('/tmp'), 'error.log'), 'utf8') });
    assert.deepEqual(pod.rootfsWrites(), []);
  });

  it("ha proxy: the three nodes as one upstream group (each here the topology's database), nginx -t accepts it", async () => {
    const ha = await renderOverlay('ha', secrets);
    const pod = preparePod(ha, find(ha, 'Deployment', 'clima-proxy'), endpoints);
    const { confFile, conf } = await renderProxy(pod);
    const servers = conf.match(/^\s*server 127\.0\.0\.1:\d+ max_fails=1 fail_timeout=10s;$/gm) ?? [];
    assert.equal(servers.length, 3, conf);
    assert.match(conf, /proxy_connect_timeout 1s;/);
    assert.match(conf, /proxy_next_upstream_tries 3;/);
    await testProxyConfig(confFile);
  });

  it('migrate Job: applies every migration to an empty database with the administrator account', async () => {
    await adminQuery(topology, 'DROP DATABASE clima; CREATE DATABASE clima CHARACTER SET utf8mb4');
    const pod = preparePod(objects, find(objects, 'Job', 'clima-migrate'), endpoints);
    const [command, ...args] = pod.argv;
    assert.equal(command, CLIMA);
    const result = await runClima(args, { env: pod.env, cwd: pod.cwd });
    assert.equal(result.code, 0, result.stderr);
    const applied = await adminQuery(topology, 'SELECT name FROM clima.kysely_migration ORDER BY name');
    assert.deepEqual(applied.trim().split('\n').slice(1), MIGRATIONS);
    assert.equal(await count(topology, 'SELECT COUNT(*) FROM clima.mediciones'), 0);
    assert.deepEqual(pod.rootfsWrites(), []);
  });

  it('sensor StatefulSet: ready on its status port, its readings reach the database, its outbox on its volume', async () => {
    const workload = find(objects, 'StatefulSet', 'clima-sensor');
    const pod = preparePod(objects, workload, endpoints, endpoints.get('clima-sensor')?.address);
    // Faster and offline for the test: both set by the ConfigMap, so renamed they would be missing.
    assert.ok(pod.env.SENSOR_INTERVAL_S && pod.env.SENSOR_SOURCE);
    const sensor = startPod(pod, { SENSOR_INTERVAL_S: '1', SENSOR_SOURCE: 'simulated' });
    running.push(sensor);
    await becomesReady(pod, sensor);
    await waitFor(
      async () => ((await count(topology, 'SELECT COUNT(*) FROM clima.mediciones')) > 0 ? true : undefined),
      READY_MS,
      `readings from the sensor\n${sensor.stderr()}`,
    );
    const outbox = workload.spec.volumeClaimTemplates[0].metadata.name;
    const dataDir = pod.container.volumeMounts.find((m: { name: string }) => m.name === outbox).mountPath;
    assert.ok(existsSync(join(pod.local(dataDir), 'outbox.db')), 'the outbox on its claim');
    assert.deepEqual(pod.rootfsWrites(), []);
  });

  it('dashboard Deployment: ready (/readyz: the database answers), the outbox of the sensor shown, /metrics behind its token', async () => {
    const pod = preparePod(
      objects,
      find(objects, 'Deployment', 'clima-dashboard'),
      endpoints,
      endpoints.get('clima-dashboard')?.address,
    );
    const dashboard = startPod(pod);
    running.push(dashboard);
    const port = pod.container.ports[0].containerPort;
    for (const probe of ['startupProbe', 'livenessProbe'])
      await waitFor(
        async () => ((await probeOnce(pod, pod.container[probe])) ? true : undefined),
        READY_MS,
        probe,
      );
    await becomesReady(pod, dashboard);
    const status = (await (await fetch(`http://${pod.address}:${port}/api/status`)).json()) as {
      database: { status: string };
      outbox: { reachable: boolean } | null;
    };
    assert.equal(status.database.status, 'up');
    await waitFor(
      async () => {
        const body = (await (
          await fetch(`http://${pod.address}:${port}/api/status`)
        ).json()) as typeof status;
        return body.outbox?.reachable ? true : undefined;
      },
      READY_MS,
      "the sensor's outbox through SENSOR_STATUS_URL",
    );
    const token = readFileSync(pod.env.METRICS_TOKEN_FILE as string, 'utf8').trim();
    assert.equal((await fetch(`http://${pod.address}:${port}/metrics`)).status, 401);
    const metrics = await fetch(`http://${pod.address}:${port}/metrics`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(metrics.status, 200);
    assert.deepEqual(pod.rootfsWrites(), []);
  });

  it('backup CronJob: its command exits 0 leaving a snapshot that verifies on its volume', async () => {
    const workload = find(objects, 'CronJob', 'clima-backup');
    const pod = preparePod(objects, workload, endpoints);
    const [command, ...args] = pod.argv;
    assert.equal(command, CLIMA);
    const result = await runClima(args, { env: pod.env, cwd: pod.cwd });
    assert.equal(result.code, 0, result.stderr);
    const dir = pod.local('/backups');
    assert.equal(pod.env.BACKUP_DIR, dir, 'BACKUP_DIR is the snapshot volume');
    const snapshots = readdirSync(dir).filter(
      (name) => /^mediciones-.*\.json$/.test(name) && !name.includes('manifest'),
    );
    assert.equal(snapshots.length, 1, readdirSync(dir).join(', '));
    const verify = await runClima(['backup', 'verify', join(dir, snapshots[0] as string)], { env: {} });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.deepEqual(pod.rootfsWrites(), []);
  });
});
