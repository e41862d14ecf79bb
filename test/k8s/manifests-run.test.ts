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
//   - the same for a file's `host:port` where cluster DNS would resolve it (clima-ingest's
//     MQTT_URL, in its Secret's file);
//   - the broker's mosquitto.conf: its mount paths become their folders and its `listener 1883`
//     the pod's address at that port; started as root here, it stays this user (`user`), as in
//     the pod it runs as the image's own;
//   - a mount path in a value or an argument becomes its folder; the image's /app is this
//     checkout's dist/ (built by `npm test`), tini is left out; nginx's default config path is
//     passed to it (-c), its logs are files of its /tmp, and its stream module is loaded where
//     Debian builds it dynamically.
// A renamed variable or a wrong port in a manifest makes a probe or a check below fail.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connectAsync } from 'mqtt';
import { findBinary } from '../../scripts/hybrid/binaries.js';
import { runInitFiles } from '../../scripts/hybrid/database.js';
import { streamModule, testProxyConfig } from '../../scripts/hybrid/proxy.js';
import { makeCertificates } from '../../scripts/hybrid/tls.js';
import { layout, type Topology } from '../../scripts/hybrid/topology.js';
import { registerCleanup } from '../support/cleanup-on-exit.js';
import { adminQuery, binariesSkip } from '../support/hybrid.js';
import { startCloudOnly } from '../support/hybrid-cloud.js';
import {
  type Endpoint,
  type LocalPod,
  mapServices,
  podAddress,
  preparePod,
  probeOnce,
} from '../support/k8s-pod.js';
import { find, type K8sObject, renderOverlay } from '../support/kustomize.js';
import { mosquittoSkip } from '../support/mosquitto.js';
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
const LOCAL = new URL('../../deploy/local/', import.meta.url).pathname;

/** The broker's users, as the operator makes them: clima-ingest and one station. */
interface BrokerUsers {
  readonly passwords: { readonly 'clima-ingest': string; readonly 'finca-1': string };
  /** The passwd file mosquitto_passwd wrote for them. */
  readonly passwd: string;
}

async function brokerUsers(): Promise<BrokerUsers> {
  const passwords = {
    'clima-ingest': randomBytes(16).toString('hex'),
    'finca-1': randomBytes(16).toString('hex'),
  };
  const dir = mkdtempSync(join(tmpdir(), 'clima-passwd-'));
  try {
    const file = join(dir, 'passwd');
    for (const [user, password] of Object.entries(passwords))
      await run('mosquitto_passwd', [...(existsSync(file) ? [] : ['-c']), '-b', file, user, password]);
    return { passwords, passwd: readFileSync(file, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The operator's secret files, from the topology: its accounts' passwords and its CA. */
function secretsFrom(topology: Topology, broker: BrokerUsers) {
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
      mosquitto_passwd: broker.passwd,
      mqtt_url: `mqtt://clima-ingest:${broker.passwords['clima-ingest']}@clima-mosquitto:1883`,
      'stations.json': `${JSON.stringify([{ name: 'finca-1', city: 'Manizales', tokenSha256: createHash('sha256').update('finca-1-token').digest('hex') }])}\n`,
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
  let users: BrokerUsers;
  let broker: { pod: LocalPod; child: ChildProcess; output(): string } | undefined;

  before(async () => {
    ({ topology, stop: stopCloud } = await startCloudOnly());
    for (const name of [
      'clima-proxy',
      'clima-sensor',
      'clima-dashboard',
      'clima-backup',
      'clima-migrate',
      'clima-mosquitto',
      'clima-ingest',
    ])
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
    users = await brokerUsers();
    secrets = secretsFrom(topology, users);
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
    broker?.child.kill('SIGTERM');
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

  it("broker StatefulSet: deploy/local/mosquitto's files and the operator's passwd where its command reads them, mosquitto passes its probe", {
    skip: mosquittoSkip(),
  }, async () => {
    const workload = find(objects, 'StatefulSet', 'clima-mosquitto');
    const pod = preparePod(objects, workload, endpoints, endpoints.get('clima-mosquitto')?.address);
    const [command, flag, confFile] = pod.argv as [string, string, string];
    assert.equal(command, '/usr/sbin/mosquitto');
    assert.equal(flag, '-c');
    const config = pod.local('/mosquitto/config');
    assert.equal(confFile, join(config, 'mosquitto.conf'));
    for (const file of ['mosquitto.conf', 'acl'])
      assert.equal(
        readFileSync(join(config, file), 'utf8'),
        readFileSync(join(LOCAL, 'mosquitto', file), 'utf8'),
        file,
      );
    assert.equal(readFileSync(join(config, 'passwd'), 'utf8'), users.passwd);
    const conf = readFileSync(confFile, 'utf8');
    assert.match(conf, /^listener 1883$/m);
    const dir = mkdtempSync(join(tmpdir(), 'clima-mosquitto-pod-'));
    registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const local = join(dir, 'mosquitto.conf');
    writeFileSync(
      local,
      `${pod.local(conf).replace(/^listener 1883$/m, `listener 1883 ${pod.address}`)}\nuser ${userInfo().username}\n`,
    );
    let output = '';
    const child = spawn(findBinary('mosquitto', ['/usr/sbin']), ['-c', local], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr])
      stream.on('data', (chunk: Buffer) => (output += chunk));
    registerCleanup(() => child.kill('SIGKILL'));
    broker = { pod, child, output: () => output };
    await becomesReady(pod, { stderr: () => output });
    // The rendered passwd is in force: nobody without a user of it gets in.
    await assert.rejects(
      connectAsync(`mqtt://${pod.address}:1883`, { reconnectPeriod: 0 }),
      /Not authorized|Bad username/i,
    );
    assert.deepEqual(pod.rootfsWrites(), []);
  });

  it("ingest StatefulSet: ready on its status port, a station's reading through the broker reaches the database, its outbox on its volume", {
    skip: mosquittoSkip(),
  }, async () => {
    assert.ok(broker, 'the broker runs (the test above)');
    const workload = find(objects, 'StatefulSet', 'clima-ingest');
    const pod = preparePod(objects, workload, endpoints, endpoints.get('clima-ingest')?.address);
    const urlFile = pod.env.MQTT_URL_FILE as string;
    writeFileSync(urlFile, mapServices(objects, endpoints, readFileSync(urlFile, 'utf8')));
    assert.equal(
      readFileSync(urlFile, 'utf8'),
      `mqtt://clima-ingest:${users.passwords['clima-ingest']}@${broker.pod.address}:1883`,
      "clima-mosquitto:1883, the broker pod's address",
    );
    const ingest = startPod(pod);
    running.push(ingest);
    // Ready once subscribed: a station's message is kept for clima-ingest from then on.
    await becomesReady(pod, ingest);
    const station = await connectAsync(`mqtt://${broker.pod.address}:1883`, {
      username: 'finca-1',
      password: users.passwords['finca-1'],
      reconnectPeriod: 0,
    });
    const takenAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    await station.publishAsync(
      'clima/finca-1/readings',
      JSON.stringify({ temperature: 21.4, humidity: 63, takenAt }),
      {
        qos: 1,
      },
    );
    await station.endAsync();
    await waitFor(
      async () =>
        (await count(topology, "SELECT COUNT(*) FROM clima.mediciones WHERE station = 'finca-1'")) > 0
          ? true
          : undefined,
      READY_MS,
      `the station's reading in the database\n${ingest.stdout()}${ingest.stderr()}\n${broker.output()}`,
    );
    const row = await adminQuery(
      topology,
      "SELECT ciudad, source, temperatura, humedad FROM clima.mediciones WHERE station = 'finca-1'",
    );
    assert.deepEqual(row.trim().split('\n').slice(1), ['Manizales\tdevice\t21.4\t63']);
    const outbox = workload.spec.volumeClaimTemplates[0].metadata.name;
    const dataDir = pod.container.volumeMounts.find((m: { name: string }) => m.name === outbox).mountPath;
    assert.ok(existsSync(join(pod.local(dataDir), 'outbox.db')), 'the outbox on its claim');
    assert.deepEqual(pod.rootfsWrites(), []);
    // The broker keeps clima-ingest's session on its claim: saved there when it stops.
    const exited = once(broker.child, 'exit');
    broker.child.kill('SIGTERM');
    await exited;
    assert.ok(existsSync(join(broker.pod.local('/mosquitto/data'), 'mosquitto.db')), broker.output());
    assert.deepEqual(broker.pod.rootfsWrites(), []);
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
