// The cloud as a Galera cluster of three (`npm run hybrid -- --cloud-nodes 3`): the nodes behind
// the one nginx proxy, and what losing one of them does. One cluster serves every test here, in
// order (a cluster takes half a minute to form); `hybrid:down` last.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { PACKAGES } from '../../scripts/hybrid/binaries.js';
import { GALERA_PROVIDER } from '../../scripts/hybrid/cluster.js';
import { status } from '../../scripts/hybrid/hybrid.js';
import type { DatabaseNode, Topology } from '../../scripts/hybrid/topology.js';
import type { FakeOpenMeteo } from '../support/fake-open-meteo.js';
import {
  binariesSkip,
  chosenNetwork,
  mariadbClient,
  nodeQuery,
  parseBatch,
  type RunningHybrid,
  startTestTopology,
} from '../support/hybrid.js';

const skip = binariesSkip({ ...PACKAGES, rsync: 'rsync' }) || galeraSkip();

/** The skip reason when Debian's galera-4 is missing (an error under CI, as binariesSkip's). */
function galeraSkip(): string | false {
  if (existsSync(GALERA_PROVIDER)) return false;
  const reason = `${GALERA_PROVIDER} not installed: apt-get install galera-4`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n!! SKIPPING: ${reason}\n`);
  return reason;
}

/** A global status variable of each node, in node order. */
async function statusOfEach(topology: Topology, name: string): Promise<string[]> {
  return Promise.all(
    topology.databaseNodes.map(
      async (node) =>
        parseBatch(await nodeQuery(topology, node, `SHOW GLOBAL STATUS LIKE '${name}'`))[0]?.Value ?? '',
    ),
  );
}

describe('the cloud as a Galera cluster of three behind the proxy (npm run hybrid -- --cloud-nodes 3)', () => {
  if (skip !== false) {
    it('runs three MariaDB nodes replicating with Galera', { skip }, () => {});
    return;
  }
  const { netns } = chosenNetwork();
  let fake: FakeOpenMeteo;
  let hybrid: RunningHybrid;
  let topology: Topology;

  before(async () => {
    ({ fake, hybrid } = await startTestTopology({}, ['--cloud-nodes', '3']));
    topology = hybrid.topology;
  });
  after(async () => {
    await hybrid?.down().catch(() => {});
    await fake?.close();
  });

  it('forms one primary component of three Synced nodes, each a host of its own where namespaces work', async (t) => {
    const nodes = topology.databaseNodes;
    assert.equal(nodes.length, 3);
    assert.deepEqual(await statusOfEach(topology, 'wsrep_cluster_size'), ['3', '3', '3']);
    assert.deepEqual(await statusOfEach(topology, 'wsrep_local_state_comment'), [
      'Synced',
      'Synced',
      'Synced',
    ]);
    assert.deepEqual(await statusOfEach(topology, 'wsrep_cluster_status'), ['Primary', 'Primary', 'Primary']);
    for (const [name, pid] of Object.entries(status(topology))) assert.ok(pid, `${name} is running`);
    if (netns) {
      assert.equal(new Set(nodes.map((node) => node.namespace)).size, 3, 'one namespace per node');
      assert.equal(new Set(nodes.map((node) => node.host)).size, 3, 'one address per node');
    } else assert.equal(new Set(nodes.map((node) => node.port)).size, 3, 'one port per node');
    t.diagnostic(`NODES: ${nodes.map((node: DatabaseNode) => `${node.host}:${node.port}`).join(', ')}`);
  });

  it('ran deploy/cloud/initdb once, on the bootstrap node, and every node has its schema and accounts', async () => {
    for (const node of topology.databaseNodes) {
      const accounts = parseBatch(
        await nodeQuery(
          topology,
          node,
          "SELECT User AS user, Host AS host FROM mysql.user WHERE User LIKE 'clima%' ORDER BY User",
        ),
      );
      assert.deepEqual(
        accounts,
        [
          { user: 'clima_reader', host: '%' },
          { user: 'clima_sensor', host: '%' },
        ],
        `node ${node.index}`,
      );
      const migrations = parseBatch(
        await nodeQuery(topology, node, 'SELECT name FROM clima.kysely_migration'),
      );
      assert.deepEqual(
        migrations,
        [{ name: '0001-create-mediciones' }],
        `node ${node.index}: the migration recorded once`,
      );
    }
    // The bootstrap node alone was initialised; the others received its data directory.
    const install = (index: number) => readFileSync(hybrid.paths.node(index).log, 'utf8');
    assert.doesNotMatch(install(1), /SST received/);
    for (const index of [2, 3]) assert.match(install(index), /rsync SST completed on joiner/);
  });

  it('spreads the sessions through the proxy over the three nodes, every one encrypted, with passive health checks', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const result = await mariadbClient(
        topology,
        'clima_reader',
        "SELECT @@wsrep_node_name AS node, (SELECT variable_value FROM information_schema.session_status WHERE variable_name = 'Ssl_cipher') AS cipher",
      );
      assert.equal(result.code, 0, result.stderr);
      const [row] = parseBatch(result.stdout);
      assert.ok(row?.cipher, 'the session is encrypted');
      seen.add(row?.node ?? '');
    }
    assert.deepEqual([...seen].sort(), ['node-1', 'node-2', 'node-3']);
    const conf = readFileSync(`${hybrid.paths.nginxDir}/nginx.conf`, 'utf8');
    assert.match(conf, /upstream clima_database \{/);
    for (const node of topology.databaseNodes)
      assert.match(conf, new RegExp(`server ${node.host}:${node.port} max_fails=1 fail_timeout=5s;`));
    assert.match(conf, /proxy_connect_timeout 1s;/);
    assert.match(conf, /proxy_next_upstream on;/);
  });
});
