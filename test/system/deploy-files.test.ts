// The Docker deployment, checked without a Docker engine: the compose files as Debian's
// docker-compose reads them (schema, interpolation, TLS by default and its opt-out), the nginx
// config the proxy container renders (nginx -t), and the Dockerfile (parsed and linted).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { validate } from 'dockerfile-utils';
import { renderProxyConfig, testProxyConfig } from '../../scripts/hybrid/proxy.js';
import { parseDatabaseUrl } from '../../src/db/database-url.js';
import { type Compose, type ComposeService, composeConfig } from '../support/compose-config.js';
import { freePort } from '../support/free-port.js';
import { binariesSkip } from '../support/hybrid.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const CLOUD = join(ROOT, 'deploy/cloud');
const LOCAL = join(ROOT, 'deploy/local');
/** compose.yaml's flags that make the cloud's database serve its certificate and require TLS. */
const TLS_FLAGS = /^--(ssl-ca|ssl-cert|ssl-key|require-secure-transport|tls-version)=/;
const PRIVATE_NETWORKS = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,127.0.0.0/8,::1,fc00::/7';

/** A variable's value in an env file such as .env.example. */
function envFileValue(file: string, name: string): string | undefined {
  return new RegExp(`^${name}=(.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
}

/** Runs `check` with the path of an env file holding `text`, in a folder removed afterwards. */
async function withEnvFile(text: string, check: (envFile: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'clima-compose-'));
  try {
    const envFile = join(dir, 'test.env');
    writeFileSync(envFile, text);
    await check(envFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** docker-compose 1.x checks volumes and services but not every reference: the rest, here. */
function assertReferencesDeclared(compose: Compose): void {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const network of Object.keys(service.networks ?? {}))
      assert.ok(compose.networks?.[network] !== undefined, `${name}: network ${network} declared`);
    for (const { source } of service.secrets ?? [])
      assert.ok(compose.secrets?.[source] !== undefined, `${name}: secret ${source} declared`);
    for (const volume of service.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (!source.startsWith('/'))
        assert.ok(compose.volumes?.[source] !== undefined, `${name}: volume ${source}`);
    }
  }
}

describe('the compose files (docker-compose config, no engine)', () => {
  const skip = binariesSkip({ 'docker-compose': 'docker-compose', python3: 'python3-yaml' });
  if (skip !== false) {
    it('validate', { skip }, () => {});
    return;
  }
  const cloudEnv = join(CLOUD, '.env.example');
  const localEnv = join(LOCAL, '.env.example');

  it('cloud: db-master (mysql:8.0, mysql_data, healthy, not published) behind nginx-proxy on backend-net', async () => {
    const compose = await composeConfig(CLOUD, ['compose.yaml'], cloudEnv);
    assertReferencesDeclared(compose);
    assert.deepEqual(Object.keys(compose.services).sort(), ['db-master', 'nginx-proxy']);
    const db = compose.services['db-master'] as ComposeService;
    assert.equal(db.image, 'mysql:8.0');
    assert.equal(db.ports, undefined, 'the database publishes no port');
    assert.ok(db.volumes?.includes('mysql_data:/var/lib/mysql:rw'));
    assert.ok(db.volumes?.some((v) => v.endsWith('/deploy/cloud/initdb:/docker-entrypoint-initdb.d:ro')));
    assert.ok(db.healthcheck?.test.join(' ').includes('mysqladmin ping --host=127.0.0.1'));
    assert.equal(db.environment?.MYSQL_ROOT_HOST, 'localhost', 'no root over the network');
    for (const [key, value] of Object.entries(db.environment ?? {})) {
      if (/PASSWORD/.test(key))
        assert.match(`${key}=${value}`, /_FILE=\/run\/secrets\//, 'passwords are secrets');
    }
    assert.deepEqual(Object.keys(db.networks ?? {}), ['backend-net']);
    const proxy = compose.services['nginx-proxy'] as ComposeService;
    assert.deepEqual(proxy.depends_on, { 'db-master': { condition: 'service_healthy' } });
    assert.deepEqual(
      proxy.ports?.map((p) => [p.published, p.target]),
      [[33060, 33060]],
    );
    assert.equal(proxy.environment?.DATABASE_UPSTREAM, 'db-master:3306');
    assert.match(
      proxy.command?.join(' ') ?? '',
      /render-nginx-conf\.sh > \/etc\/nginx\/nginx\.conf && nginx -t/,
    );
    assert.deepEqual(Object.keys(compose.volumes ?? {}), ['mysql_data']);
  });

  it('cloud as a cluster: three mariadb nodes with Galera settings, a volume each, behind the one proxy', async () => {
    const compose = await composeConfig(CLOUD, ['compose.galera.yaml'], cloudEnv);
    assertReferencesDeclared(compose);
    const nodes = ['db-node-1', 'db-node-2', 'db-node-3'];
    assert.deepEqual(Object.keys(compose.services).sort(), [...nodes, 'nginx-proxy']);
    assert.deepEqual(Object.keys(compose.volumes ?? {}), ['node1_data', 'node2_data', 'node3_data']);
    const secure = (await composeConfig(CLOUD, ['compose.yaml'], cloudEnv)).services[
      'db-master'
    ] as ComposeService;
    nodes.forEach((name, i) => {
      const node = compose.services[name] as ComposeService;
      assert.match(node.image ?? '', /^mariadb:/, name);
      assert.equal(node.ports, undefined, `${name} publishes no port`);
      assert.ok(node.volumes?.includes(`node${i + 1}_data:/var/lib/mysql:rw`), name);
      assert.equal(node.environment?.GALERA_NODE, String(i + 1));
      assert.equal(node.environment?.MARIADB_ROOT_HOST, 'localhost', 'no root over the network');
      for (const [key, value] of Object.entries(node.environment ?? {}))
        if (/PASSWORD/.test(key))
          assert.match(`${key}=${value}`, /_FILE=\/run\/secrets\//, 'passwords are secrets');
      const flags = node.command ?? [];
      for (const flag of [
        '--wsrep-on=ON',
        '--wsrep-provider=/usr/lib/galera/libgalera_smm.so',
        '--wsrep-cluster-address=gcomm://db-node-1,db-node-2,db-node-3',
        '--binlog-format=ROW',
        '--innodb-autoinc-lock-mode=2',
      ])
        assert.ok(flags.includes(flag), `${name}: ${flag}`);
      assert.deepEqual(
        flags.filter((arg) => TLS_FLAGS.test(arg)),
        secure.command?.filter((arg) => TLS_FLAGS.test(arg)),
        `${name} requires TLS as db-master does`,
      );
      assert.match(node.healthcheck?.test.join(' ') ?? '', /wsrep_local_state_comment.*Synced/);
    });
    // initdb runs on node 1 only; the joiners receive its data by state transfer.
    const initdb = (name: string) =>
      (compose.services[name]?.volumes ?? []).filter((v) => v.includes('/docker-entrypoint-initdb.d/'));
    assert.equal(initdb('db-node-1').length, 3);
    assert.deepEqual([...initdb('db-node-2'), ...initdb('db-node-3')], []);
    assert.deepEqual(compose.services['db-node-3']?.depends_on, {
      'db-node-2': { condition: 'service_healthy' },
    });
    const proxy = compose.services['nginx-proxy'] as ComposeService;
    assert.equal(proxy.environment?.DATABASE_UPSTREAM, nodes.map((node) => `${node}:3306`).join(','));
    assert.deepEqual(Object.keys(proxy.depends_on ?? {}).sort(), nodes);
    assert.ok(
      statSync(join(CLOUD, 'galera/galera-node.sh')).mode & 0o111,
      "the nodes' entrypoint is executable",
    );
  });

  it('cloud: the database serves its certificate from ./tls and requires TLS of every account, by default', async () => {
    const compose = await composeConfig(CLOUD, ['compose.yaml'], cloudEnv);
    const db = compose.services['db-master'] as ComposeService;
    assert.deepEqual(
      db.command?.filter((arg) => TLS_FLAGS.test(arg)),
      [
        '--ssl-ca=/etc/mysql/tls/ca.pem',
        '--ssl-cert=/etc/mysql/tls/server-cert.pem',
        '--ssl-key=/etc/mysql/tls/server-key.pem',
        '--require-secure-transport=ON',
        '--tls-version=TLSv1.2,TLSv1.3',
      ],
    );
    assert.ok(db.volumes?.includes(`${CLOUD}/tls:/etc/mysql/tls:ro`), 'the certificates are mounted');
  });

  it('cloud with compose.no-tls.yaml, the explicit opt-out: the same database without the TLS flags', async () => {
    const secure = await composeConfig(CLOUD, ['compose.yaml'], cloudEnv);
    const plain = await composeConfig(CLOUD, ['compose.yaml', 'compose.no-tls.yaml'], cloudEnv);
    const [secureDb, plainDb] = [secure, plain].map((c) => c.services['db-master'] as ComposeService);
    assert.deepEqual(
      plainDb?.command,
      secureDb?.command?.filter((arg) => !TLS_FLAGS.test(arg)),
      'every other flag kept',
    );
    assert.ok((plainDb?.command?.length ?? 0) > 0);
    // docker-compose 1.x reorders the lists it merges.
    const rest = (service: ComposeService | undefined) => ({
      ...service,
      command: undefined,
      networks: Object.keys(service?.networks ?? {}),
      secrets: service?.secrets?.map(({ source }) => source).sort(),
      volumes: [...(service?.volumes ?? [])].sort(),
    });
    assert.deepEqual(rest(plainDb), rest(secureDb), 'nothing else changes');
    assert.deepEqual(rest(plain.services['nginx-proxy']), rest(secure.services['nginx-proxy']));
  });

  it('cloud: the proxy lets only private networks and loopback through, from .env.example or without a .env', async () => {
    assert.equal(envFileValue(cloudEnv, 'PROXY_ALLOW_FROM'), PRIVATE_NETWORKS);
    const fromExample = await composeConfig(CLOUD, ['compose.yaml'], cloudEnv);
    assert.equal(fromExample.services['nginx-proxy']?.environment?.PROXY_ALLOW_FROM, PRIVATE_NETWORKS);
    await withEnvFile('', async (envFile) => {
      const withoutEnv = await composeConfig(CLOUD, ['compose.yaml'], envFile);
      assert.equal(withoutEnv.services['nginx-proxy']?.environment?.PROXY_ALLOW_FROM, PRIVATE_NETWORKS);
    });
  });

  it('local: dashboard (5000, 2 CPUs, 2 GB), sensor and backup on local-net, each with its own account', async () => {
    const compose = await composeConfig(LOCAL, ['compose.yaml'], localEnv);
    assertReferencesDeclared(compose);
    assert.deepEqual(Object.keys(compose.services).sort(), [
      'backup',
      'dashboard',
      'ingest',
      'mosquitto',
      'sensor',
    ]);
    const accounts = {
      dashboard: 'clima_reader',
      sensor: 'clima_sensor',
      backup: 'clima_reader',
      ingest: 'clima_sensor',
    };
    for (const [name, account] of Object.entries(accounts)) {
      const service = compose.services[name] as ComposeService;
      assert.deepEqual(service.command, [name]);
      assert.equal(service.restart, 'unless-stopped');
      assert.ok(
        service.healthcheck?.test.includes('/app/deploy/image/healthcheck.mjs'),
        `${name} healthcheck`,
      );
      assert.deepEqual(Object.keys(service.networks ?? {}), ['local-net']);
      // The CA it names is inside the container, not here: the TLS parameters are checked apart.
      const url = new URL(service.environment?.DATABASE_URL ?? '');
      const target = parseDatabaseUrl(
        `${url.protocol}//${url.username}:${url.password}@${url.host}${url.pathname}`,
      );
      assert.equal(target.dialect, 'mysql');
      if (target.dialect === 'mysql') {
        assert.deepEqual(
          [target.user, target.host, target.port, target.database],
          [account, 'cloud.example.org', 33060, 'clima'],
        );
      }
    }
    const dashboard = compose.services.dashboard as ComposeService;
    assert.deepEqual(
      dashboard.ports?.map((p) => [p.published, p.target]),
      [[5000, 5000]],
    );
    assert.deepEqual(dashboard.deploy?.resources?.limits, { cpus: 2, memory: '2g' });
    assert.ok(
      compose.services.backup?.volumes?.some((v) => /\/deploy\/local\/backups:\/backups(:rw)?$/.test(v)),
    );
    assert.equal(compose.services.backup?.environment?.BACKUP_DIR, '/backups');
    assert.ok(compose.services.sensor?.volumes?.includes('edge_state:/data:rw'));
    assert.ok(compose.services.ingest?.volumes?.includes('ingest_state:/data:rw'), 'an outbox of its own');
  });

  it("local: the broker with its users' ACL and persistent sessions, and clima ingest reaching it by a secret URL", async () => {
    const compose = await composeConfig(LOCAL, ['compose.yaml'], localEnv);
    const broker = compose.services.mosquitto as ComposeService;
    assert.deepEqual(Object.keys(broker.networks ?? {}), ['local-net']);
    for (const file of ['mosquitto.conf', 'acl', 'passwd']) {
      assert.ok(
        broker.volumes?.includes(`${LOCAL}/mosquitto/${file}:/mosquitto/config/${file}:ro`),
        `mounts ${file}`,
      );
    }
    assert.ok(broker.volumes?.includes('broker_state:/mosquitto/data:rw'), 'sessions outlive the container');
    const ingest = compose.services.ingest as ComposeService;
    assert.equal(ingest.environment?.MQTT_URL_FILE, '/run/secrets/mqtt_url');
    assert.equal(ingest.environment?.STATIONS_FILE, '/etc/clima/stations.json');
    assert.deepEqual(compose.secrets?.mqtt_url, { file: `${LOCAL}/secrets/mqtt_url` });
  });

  it('local: refuses to start without CLOUD_HOST and the passwords from the env file', async () => {
    await withEnvFile('', async (envFile) => {
      await assert.rejects(
        composeConfig(LOCAL, ['compose.yaml'], envFile),
        /set (CLOUD_HOST|CLIMA_\w+_PASSWORD) in \.env/,
      );
    });
  });

  it('local: every service verifies the cloud against tls/ca.pem and its name, by default', async () => {
    const compose = await composeConfig(LOCAL, ['compose.yaml'], localEnv);
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'mosquitto') continue;
      const url = new URL(service.environment?.DATABASE_URL ?? '');
      assert.equal(url.searchParams.get('ssl-mode'), 'VERIFY_IDENTITY', name);
      assert.equal(url.searchParams.get('ssl-ca'), '/etc/clima/tls/ca.pem', name);
      assert.ok(service.volumes?.includes(`${LOCAL}/tls:/etc/clima/tls:ro`), `${name} mounts tls/`);
    }
  });

  it('local: opting out of TLS is explicit, DATABASE_URL_OPTIONS=?ssl-mode=DISABLED', async () => {
    await withEnvFile(
      `${readFileSync(localEnv, 'utf8')}\nDATABASE_URL_OPTIONS=?ssl-mode=DISABLED\n`,
      async (envFile) => {
        const compose = await composeConfig(LOCAL, ['compose.yaml'], envFile);
        for (const [name, service] of Object.entries(compose.services)) {
          if (name === 'mosquitto') continue;
          const target = parseDatabaseUrl(service.environment?.DATABASE_URL ?? '');
          assert.equal(target.dialect === 'mysql' && target.tls.mode, 'DISABLED');
        }
      },
    );
  });

  it('local: the dashboard and the sensor protect /metrics with a token from a secret file', async () => {
    const compose = await composeConfig(LOCAL, ['compose.yaml'], localEnv);
    assert.deepEqual(compose.secrets?.metrics_token, { file: `${LOCAL}/secrets/metrics_token` });
    for (const name of ['dashboard', 'sensor']) {
      const service = compose.services[name] as ComposeService;
      assert.deepEqual(service.secrets, [{ source: 'metrics_token' }], name);
      assert.equal(service.environment?.METRICS_TOKEN_FILE, '/run/secrets/metrics_token', name);
    }
  });
});

describe("the cloud proxy's nginx config", () => {
  const skip = binariesSkip({ nginx: 'nginx libnginx-mod-stream' });
  if (skip !== false) {
    it('passes nginx -t', { skip }, () => {});
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'clima-nginx-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('renders as the nginx-proxy container renders it, and passes nginx -t', async () => {
    // The container's settings (Docker's resolver, the service name) but a free port to bind here.
    const file = await renderProxyConfig(dir, {
      PROXY_LISTEN: String(await freePort()),
      DATABASE_UPSTREAM: 'db-master:3306',
      PROXY_RESOLVER: '127.0.0.11',
      PROXY_ALLOW_FROM: '203.0.113.0/24,198.51.100.7',
      PROXY_CONNECT_TIMEOUT: '5s',
      PROXY_IDLE_TIMEOUT: '10m',
    });
    await testProxyConfig(file);
    const conf = readFileSync(file, 'utf8');
    assert.match(conf, /resolver 127\.0\.0\.11 valid=10s/);
    assert.match(conf, /set \$clima_database db-master:3306;\s+proxy_pass \$clima_database;/);
    assert.match(conf, /allow 203\.0\.113\.0\/24;\s+allow 198\.51\.100\.7;\s+deny all;/);
    assert.match(conf, /proxy_connect_timeout 5s;/);
    assert.match(conf, /proxy_timeout 10m;/);
    assert.doesNotMatch(conf, /\{\{[A-Z_]+\}\}/, 'every mark filled');
  });

  it("renders .env.example's allow-list of private networks as allow lines, and passes nginx -t", async () => {
    const allowFrom = envFileValue(join(CLOUD, '.env.example'), 'PROXY_ALLOW_FROM') ?? '';
    const file = await renderProxyConfig(dir, {
      PROXY_LISTEN: String(await freePort()),
      PROXY_RESOLVER: '127.0.0.11',
      PROXY_ALLOW_FROM: allowFrom,
    });
    await testProxyConfig(file);
    const rules = readFileSync(file, 'utf8').match(/^\s*(allow|deny) .*;$/gm) ?? [];
    assert.deepEqual(
      rules.map((rule) => rule.trim()),
      [...PRIVATE_NETWORKS.split(',').map((network) => `allow ${network};`), 'deny all;'],
    );
  });

  it('lets anyone through when told so in words, PROXY_ALLOW_FROM=all, and passes nginx -t', async () => {
    const file = await renderProxyConfig(dir, {
      PROXY_LISTEN: String(await freePort()),
      PROXY_RESOLVER: '127.0.0.11',
      PROXY_ALLOW_FROM: 'all',
    });
    await testProxyConfig(file);
    assert.match(readFileSync(file, 'utf8'), /allow all;\s+deny all;/);
  });

  it('renders several nodes as one upstream group with passive health checks, and passes nginx -t', async () => {
    const nodes = ['10.0.0.11:3306', '10.0.0.12:3306', '10.0.0.13:3306'];
    const file = await renderProxyConfig(dir, {
      PROXY_LISTEN: String(await freePort()),
      PROXY_RESOLVER: '',
      DATABASE_UPSTREAM: nodes.join(','),
      PROXY_CONNECT_TIMEOUT: '1s',
      PROXY_FAIL_TIMEOUT: '5s',
    });
    await testProxyConfig(file);
    const conf = readFileSync(file, 'utf8');
    const group = /upstream clima_database \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    assert.deepEqual(
      group.match(/server .*;/g),
      nodes.map((node) => `server ${node} max_fails=1 fail_timeout=5s;`),
    );
    assert.match(conf, /set \$clima_database clima_database;\s+proxy_pass \$clima_database;/);
    assert.match(conf, /proxy_connect_timeout 1s;\s+proxy_next_upstream on;\s+proxy_next_upstream_tries 3;/);
    assert.doesNotMatch(conf, /\{\{[A-Z_]+\}\}/, 'every mark filled');
  });

  it('renders one database as before: by name, no group, no next-upstream', async () => {
    const conf = readFileSync(await renderProxyConfig(dir, { PROXY_LISTEN: '33060' }), 'utf8');
    assert.match(conf, /set \$clima_database db-master:3306;/);
    assert.doesNotMatch(conf, /^\s*upstream |proxy_next_upstream/m);
  });

  it('lets anyone try to log in when no allow-list is given', async () => {
    const conf = readFileSync(await renderProxyConfig(dir, { PROXY_LISTEN: '33060' }), 'utf8');
    assert.doesNotMatch(conf, /allow|deny/);
  });

  for (const [name, value, message] of [
    ['PROXY_ALLOW_FROM', '10.0.0.0/8; include /etc/passwd', /may only hold letters, digits/],
    ['PROXY_CONNECT_TIMEOUT', 'soon', /must be an nginx time/],
    ['DATABASE_UPSTREAM', 'db-master', /must be host:port/],
    ['DATABASE_UPSTREAM', 'db-1:3306,db-2', /must be host:port \(got 'db-2'\)/],
    ['PROXY_MAX_FAILS', 'many', /must be a number/],
    ['PROXY_FAIL_TIMEOUT', 'later', /must be an nginx time/],
    ['PROXY_LISTEN', '0.0.0.0', /must be a port or address:port/],
  ] as const) {
    it(`refuses ${name}=${value} with a message naming it`, async () => {
      await assert.rejects(renderProxyConfig(dir, { [name]: value }), (error: Error) => {
        assert.match(error.message, new RegExp(`render-nginx-conf: ${name}`));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

describe("the deployment's shell scripts", () => {
  const skip = binariesSkip({ shellcheck: 'shellcheck' });
  it('pass shellcheck (the render script as POSIX sh: the nginx image runs it with dash)', {
    skip,
  }, async () => {
    const scripts = [
      'deploy/cloud/nginx/render-nginx-conf.sh',
      'deploy/cloud/tls/make-certs.sh',
      'deploy/cloud/initdb/02-users.sh',
      'deploy/cloud/galera/galera-node.sh',
      'deploy/cloud/galera/03-sst-account.sh',
    ];
    await run('shellcheck', scripts, { cwd: ROOT }).catch((error: { stdout?: string }) => {
      assert.fail(error.stdout ?? String(error));
    });
  });
});

describe('the init scripts', () => {
  it("keeps 02-users.sh non-executable: the mysql image sources it only then, with the entrypoint's functions", () => {
    assert.equal(statSync(join(CLOUD, 'initdb/02-users.sh')).mode & 0o111, 0);
  });
});

describe('the Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  // One instruction per entry, continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const finalStage = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));

  it('parses without a problem (the linter of VS Code’s Docker support)', () => {
    assert.deepEqual(
      validate(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`),
      [],
    );
  });

  it('builds in one stage and runs a slim Node 20 with production dependencies only', () => {
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    const stages = instructions.filter((line) => line.startsWith('FROM '));
    assert.deepEqual(
      stages.map((line) => /^FROM \$\{NODE_IMAGE\} AS (\w+)$/.exec(line)?.[1]),
      ['build', 'runtime'],
    );
    assert.ok(instructions.some((line) => /npm prune --omit=dev/.test(line)));
    assert.ok(finalStage.some((line) => line.startsWith('COPY --from=build /app/node_modules')));
    assert.ok(
      !finalStage.some((line) => /npm (ci|install)|tsc/.test(line)),
      'nothing built in the runtime stage',
    );
  });

  it('runs as node under an init process, with a healthcheck, and bakes in no secret', () => {
    assert.ok(finalStage.includes('USER node'));
    assert.ok(
      finalStage.some((line) =>
        /^ENTRYPOINT \["\/usr\/bin\/tini", "--", "\/app\/dist\/bundle\/clima.js"/.test(line),
      ),
    );
    assert.ok(
      finalStage.some((line) =>
        /^HEALTHCHECK .*CMD \["node", "\/app\/deploy\/image\/healthcheck\.mjs"\]/.test(line),
      ),
    );
    for (const line of instructions.filter((l) => /^(ENV|ARG) /.test(l)))
      assert.doesNotMatch(line, /PASSWORD|SECRET|TOKEN|DATABASE_URL/i, line);
  });

  it('copies only what .dockerignore lets into the build context, and all of it exists', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(ignore[0], '**', 'everything is excluded unless listed');
    const allowed = ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/\*\*$/, ''));
    const sources = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `${source} exists`);
      assert.ok(
        allowed.some((entry) => source === entry || source.startsWith(`${entry}/`)),
        `${source} is in the build context`,
      );
    }
  });
});
