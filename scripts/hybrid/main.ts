// `npm run hybrid` / `npm run hybrid:down`: the deployment of deploy/cloud and deploy/local as real
// processes on this machine, without Docker (README, "Hybrid deployment").
//
//   tsx scripts/hybrid/main.ts up [--network auto|netns|loopback] [--state-dir DIR]
//                                 [--proxy-port N] [--dashboard-port N] [--no-tls] [--cloud-nodes N]
//                                 [--sensors N]
//   tsx scripts/hybrid/main.ts down [--state-dir DIR] [--volumes]
//   tsx scripts/hybrid/main.ts status [--state-dir DIR]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { down, status, up } from './hybrid.js';
import { layout, readTopology, type ServiceName } from './topology.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const SERVICES: readonly ServiceName[] = ['sensor', 'dashboard', 'backup'];
// The services' own settings pass through from this environment; the runner sets the rest.
const PASSED_THROUGH = [
  'SENSOR_INTERVAL_S',
  'SENSOR_SOURCE',
  'SIMULATED_SEED',
  'CITIES',
  'OPEN_METEO_URL',
  'OPEN_METEO_TIMEOUT_MS',
  'DISPLAY_TIME_ZONE',
  'LOG_LEVEL',
  'BACKUP_INTERVAL_S',
  'BACKUP_KEEP',
];

const USAGE = `Usage: npm run hybrid -- [options]     bring the topology up
       npm run hybrid:down -- [options]  stop exactly what up started

  --network auto|netns|loopback  netns: the cloud in a network namespace of its own (root);
                                 loopback: everything on 127.0.0.1; auto (default): netns if possible
  --state-dir DIR                data, logs and pid files (default .hybrid/); the database's data
                                 directory (DIR/cloud/mysql_data) survives down, like a volume
  --proxy-port N                 the proxy's port (default 33060)
  --dashboard-port N             the dashboard's port on 127.0.0.1 (default 5000)
  --no-tls                       plain TCP on the cloud link (default: TLS, verified)
  --sensors N                    1 (default) or 2: a second clima sensor (its own outbox and state)
                                 on the same ticks, so the cloud keeps one reading of each
  --cloud-nodes N                1 (default): one database server; 3 or more: a Galera cluster of
                                 N nodes behind the proxy, each a host of its own in netns mode
  --volumes                      (down) also delete the state directory, data included`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      network: { type: 'string', default: 'auto' },
      'state-dir': { type: 'string', default: resolve(ROOT, '.hybrid') },
      'proxy-port': { type: 'string', default: '33060' },
      'dashboard-port': { type: 'string', default: '5000' },
      'no-tls': { type: 'boolean', default: false },
      'cloud-nodes': { type: 'string', default: '1' },
      sensors: { type: 'string', default: '1' },
      volumes: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const stateDir = resolve(values['state-dir']);
  const [command] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (command === 'down') {
    down(stateDir, { removeData: values.volumes });
    console.log(`hybrid: stopped${values.volumes ? ' and deleted' : ''} ${stateDir}`);
    return 0;
  }
  if (command === 'status') {
    const topology = readTopology(stateDir);
    if (topology === undefined) console.log(`hybrid: nothing is up in ${stateDir}`);
    else
      for (const [name, pid] of Object.entries(status(topology)))
        console.log(`${name.padEnd(10)} ${pid ?? 'stopped'}`);
    return 0;
  }
  if (command !== 'up') {
    console.error(`hybrid: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const network = values.network;
  if (network !== 'auto' && network !== 'netns' && network !== 'loopback') {
    console.error(`hybrid: --network must be auto, netns or loopback, got "${network}"`);
    return 2;
  }
  const cloudNodes = Number(values['cloud-nodes']);
  if (!Number.isInteger(cloudNodes) || cloudNodes < 1 || cloudNodes === 2 || cloudNodes > 9) {
    console.error(
      `hybrid: --cloud-nodes must be 1, or 3 to 9 (two nodes lose quorum with either), got "${values['cloud-nodes']}"`,
    );
    return 2;
  }
  if (values.sensors !== '1' && values.sensors !== '2') {
    console.error(`hybrid: --sensors must be 1 or 2, got "${values.sensors}"`);
    return 2;
  }
  const topology = await up({
    stateDir,
    network,
    cloudNodes,
    proxyPort: port(values['proxy-port'], '--proxy-port'),
    dashboardPort: port(values['dashboard-port'], '--dashboard-port'),
    tls: !values['no-tls'],
    services: values.sensors === '2' ? ['sensor', 'sensor-2', 'dashboard', 'backup'] : SERVICES,
    serviceEnv: Object.fromEntries(
      PASSED_THROUGH.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])),
    ),
    log: (line) => console.log(`hybrid: ${line}`),
  });
  const paths = layout(stateDir);
  const tls = topology.tls ? ` --ssl-ca=${paths.caFile} --ssl-verify-server-cert` : '';
  console.log(`
  dashboard   http://127.0.0.1:${topology.dashboardPort}
  sensor      http://127.0.0.1:${topology.sensorPort}/status (its outbox), /metrics${topology.secondSensorPort === undefined ? '' : `\n  sensor-2    http://127.0.0.1:${topology.secondSensorPort}/status`}
  database    through the proxy only: ${topology.cloudHost}:${topology.proxyPort}${topology.tls ? ' (TLS)' : ''}
  the paper's query:
    mariadb -h ${topology.cloudHost} -P ${topology.proxyPort} -u clima_reader -p$(cat ${paths.secretsDir}/clima_reader_password)${tls} clima \\
      -e 'SELECT * FROM mediciones ORDER BY id DESC LIMIT 15'
  logs        ${paths.local}/*.log, ${paths.nginxDir}/, ${topology.databaseNodes.length === 0 ? paths.databaseLog : join(stateDir, 'cloud', 'node-*', 'mariadbd.log')}
  stop        npm run hybrid:down${stateDir === resolve(ROOT, '.hybrid') ? '' : ` -- --state-dir ${stateDir}`}`);
  return 0;
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${flag} must be a port, got "${text}"`);
  return value;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`hybrid: ${(error as Error).message}`);
  process.exitCode = 1;
}
