import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Network } from './network.js';

/**
 * The edge services, each a `clima <name>` process of its own; `sensor-2` is a second `clima
 * sensor` (`--sensors 2`) with its own outbox and state, covering for the first.
 */
export type ServiceName = 'sensor' | 'sensor-2' | 'dashboard' | 'backup';

/** The two least-privilege accounts deploy/cloud/initdb/02-users.sh creates. */
export type Account = 'clima_sensor' | 'clima_reader';

/** One node of the cloud's Galera cluster (`--cloud-nodes 3`): a host of its own in netns mode. */
export interface DatabaseNode {
  /** 1, 2, 3...: node 1 bootstraps a new cluster and runs deploy/cloud/initdb. */
  readonly index: number;
  /** Its pid file's name under `<stateDir>/run/`. */
  readonly name: string;
  /** Where the proxy and the other nodes reach it: its namespace's address, or 127.0.0.1. */
  readonly host: string;
  /** MySQL's port, what the proxy forwards to. */
  readonly port: number;
  /** Galera's own ports: group communication, incremental and full state transfer. */
  readonly galeraPort: number;
  readonly istPort: number;
  readonly sstPort: number;
  /** The node's network namespace (netns mode only). */
  readonly namespace?: string;
}

/** One running hybrid topology, as `up` made it; saved as `<stateDir>/topology.json` for `down`. */
export interface Topology {
  readonly id: string;
  readonly stateDir: string;
  readonly network: Network;
  /** The cloud as the local side names it: the namespace's link address, or 127.0.0.1. */
  readonly cloudHost: string;
  /** The proxy's port on `cloudHost`: the services' only way to the database. */
  readonly proxyPort: number;
  /** The database's own port: on the namespace's loopback (netns), or on this machine's (loopback). */
  readonly databasePort: number;
  /** The nodes of a Galera cluster behind the proxy; empty for the paper's single server. */
  readonly databaseNodes: readonly DatabaseNode[];
  readonly dashboardPort: number;
  /** The sensor's status server on 127.0.0.1 (SENSOR_PORT): its health, metrics and outbox. */
  readonly sensorPort: number;
  /** The second sensor's status server (`--sensors 2`), else undefined. */
  readonly secondSensorPort?: number;
  /** TLS on the cloud link: a private CA, the server's certificate, every account must use it. */
  readonly tls: boolean;
  readonly services: readonly ServiceName[];
  /** Extra environment for every service (e.g. SENSOR_INTERVAL_S, OPEN_METEO_URL). */
  readonly serviceEnv: Readonly<Record<string, string>>;
}

/** Where everything of a topology lives under its state directory. */
export function layout(stateDir: string) {
  const cloud = join(stateDir, 'cloud');
  const local = join(stateDir, 'local');
  return {
    topologyFile: join(stateDir, 'topology.json'),
    secretsDir: join(stateDir, 'secrets'),
    /** The database's data directory: what the `mysql_data` volume is in the compose deployment. */
    dataDir: join(cloud, 'mysql_data'),
    socket: join(cloud, 'mysqld.sock'),
    databaseLog: join(cloud, 'mariadbd.log'),
    tlsDir: join(cloud, 'tls'),
    caFile: join(cloud, 'tls', 'ca.pem'),
    nginxDir: join(cloud, 'nginx'),
    /** A cluster node's own files: what each node's volume is in compose.galera.yaml. */
    node: (index: number) => {
      const dir = join(cloud, `node-${index}`);
      return {
        dir,
        dataDir: join(dir, 'mysql_data'),
        socket: join(dir, 'mysqld.sock'),
        log: join(dir, 'mariadbd.log'),
        tmpDir: join(dir, 'tmp'),
      };
    },
    local,
    serviceDir: (name: ServiceName) => join(local, name),
    serviceLog: (name: ServiceName) => join(local, `${name}.log`),
    backupsDir: join(local, 'backups'),
  };
}

export function saveTopology(topology: Topology): void {
  mkdirSync(topology.stateDir, { recursive: true });
  writeFileSync(layout(topology.stateDir).topologyFile, `${JSON.stringify(topology, null, 2)}\n`);
}

export function readTopology(stateDir: string): Topology | undefined {
  const file = layout(stateDir).topologyFile;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Topology) : undefined;
}

/** The account's password, from `<stateDir>/secrets/` (made by `up` on first use). */
export function password(stateDir: string, account: Account): string {
  return readFileSync(join(layout(stateDir).secretsDir, `${account}_password`), 'utf8').trim();
}

/** The DATABASE_URL a service of the local side uses: through the proxy, TLS verified when on. */
export function databaseUrl(topology: Topology, account: Account): string {
  const { caFile } = layout(topology.stateDir);
  const tls = topology.tls ? `?ssl-mode=VERIFY_IDENTITY&ssl-ca=${encodeURIComponent(caFile)}` : '';
  return `mysql://${account}:${password(topology.stateDir, account)}@${topology.cloudHost}:${topology.proxyPort}/clima${tls}`;
}
