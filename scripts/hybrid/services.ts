import { mkdirSync } from 'node:fs';
import { logTail, runningPid, startDetached } from './processes.js';
import { type Account, databaseUrl, layout, type ServiceName, type Topology } from './topology.js';

const CLIMA = new URL('../../dist/bundle/clima.js', import.meta.url).pathname;

/** Which account each service logs in with: only the sensor writes. */
export const ACCOUNTS: Record<ServiceName, Account> = {
  sensor: 'clima_sensor',
  'sensor-2': 'clima_sensor',
  dashboard: 'clima_reader',
  backup: 'clima_reader',
};

/** The environment of one service: only what it needs (and PATH), as a container would have. */
export function serviceEnv(topology: Topology, name: ServiceName): Record<string, string> {
  const paths = layout(topology.stateDir);
  // Both sensors ask Open-Meteo from this one machine: each budget warning counts the two.
  const clients = { OPEN_METEO_CLIENTS: topology.secondSensorPort === undefined ? '1' : '2' };
  const own: Record<ServiceName, Record<string, string>> = {
    sensor: { HOST: '127.0.0.1', SENSOR_PORT: String(topology.sensorPort), ...clients },
    'sensor-2': { HOST: '127.0.0.1', SENSOR_PORT: String(topology.secondSensorPort ?? 0), ...clients },
    dashboard: {
      HOST: '127.0.0.1',
      PORT: String(topology.dashboardPort),
      // The dashboard shows the outbox of the sensor, a process of its own.
      SENSOR_STATUS_URL: `http://127.0.0.1:${topology.sensorPort}`,
    },
    backup: { BACKUP_DIR: paths.backupsDir },
  };
  return {
    PATH: process.env.PATH ?? '',
    ...topology.serviceEnv,
    DATABASE_URL: databaseUrl(topology, ACCOUNTS[name]),
    DATA_DIR: paths.serviceDir(name),
    ...own[name],
  };
}

/** Starts `clima <name>` as a process of its own; resolves once it is up (its /healthz answers, if it has one). */
export async function startService(topology: Topology, name: ServiceName): Promise<void> {
  const paths = layout(topology.stateDir);
  mkdirSync(paths.serviceDir(name), { recursive: true });
  if (name === 'backup') mkdirSync(paths.backupsDir, { recursive: true });
  startDetached({
    stateDir: topology.stateDir,
    name,
    // As the images run it: the executable's first line starts node with clima's heap flags.
    command: CLIMA,
    args: [name === 'sensor-2' ? 'sensor' : name],
    env: serviceEnv(topology, name),
    cwd: paths.serviceDir(name),
    logFile: paths.serviceLog(name),
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (runningPid(topology.stateDir, name) === undefined)
      throw new Error(`clima ${name} exited while starting:\n${logTail(paths.serviceLog(name))}`);
    const port = {
      dashboard: topology.dashboardPort,
      sensor: topology.sensorPort,
      'sensor-2': topology.secondSensorPort,
      backup: undefined,
    }[name];
    if (port === undefined || (await answers(port))) return;
    if (Date.now() > deadline) throw new Error(`clima ${name} did not answer on /healthz within 15 s`);
  }
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}
