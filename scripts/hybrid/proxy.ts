import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findBinary, locateBinary } from './binaries.js';
import { logTail, runningPid, startDetached } from './processes.js';
import { layout, type Topology } from './topology.js';

const run = promisify(execFile);
const RENDER = new URL('../../deploy/cloud/nginx/render-nginx-conf.sh', import.meta.url).pathname;
const MODULE_DIRS = ['/usr/lib/nginx/modules', '/usr/share/nginx/modules', '/usr/lib64/nginx/modules'];

/** The name of the proxy's pid file under `<stateDir>/run/`. */
export const PROXY = 'nginx';

/** The settings the render script reads (see deploy/cloud/nginx/render-nginx-conf.sh). */
export type ProxySettings = Readonly<Record<string, string>>;

/**
 * Renders deploy/cloud/nginx/nginx.conf.template with `settings` through the same script the
 * nginx-proxy container runs, into `dir/nginx.conf`, with nginx's own pid and logs in `dir`.
 * Returns the file's path. Throws the script's message for a bad value.
 */
export async function renderProxyConfig(dir: string, settings: ProxySettings): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const module = streamModule();
  try {
    const { stdout } = await run('sh', [RENDER], {
      env: {
        PATH: process.env.PATH ?? '',
        PROXY_RESOLVER: '',
        NGINX_PID_FILE: join(dir, 'nginx.pid'),
        NGINX_ERROR_LOG: join(dir, 'error.log'),
        NGINX_ACCESS_LOG: join(dir, 'access.log'),
        ...(module === undefined ? {} : { NGINX_STREAM_MODULE: module }),
        ...settings,
      },
    });
    const file = join(dir, 'nginx.conf');
    writeFileSync(file, stdout);
    return file;
  } catch (error) {
    throw new Error((error as { stderr?: string }).stderr?.trim() || (error as Error).message, {
      cause: error,
    });
  }
}

/**
 * `nginx -t` on a rendered file, never touching the system's nginx (own prefix and error log).
 * nginx binds the listen addresses to test them, so it runs where the proxy will: `namespace`.
 */
export async function testProxyConfig(file: string, namespace?: string): Promise<void> {
  const dir = join(file, '..');
  const nginx = [
    findBinary('nginx', ['/usr/sbin']),
    '-t',
    '-q',
    '-p',
    dir,
    '-e',
    join(dir, 'error.log'),
    '-c',
    file,
  ];
  const [command, ...args] = namespace === undefined ? nginx : ['ip', 'netns', 'exec', namespace, ...nginx];
  try {
    await run(command as string, args);
  } catch (error) {
    throw new Error(`nginx -t: ${(error as { stderr?: string }).stderr?.trim() ?? error}`, { cause: error });
  }
}

/**
 * Starts the cloud's proxy: the project's stream config listening on the cloud's address and
 * forwarding to the database's port on the cloud's own loopback, or to the cluster's nodes as one
 * upstream group. Resolves once it listens.
 */
export async function startProxy(topology: Topology): Promise<void> {
  const dir = layout(topology.stateDir).nginxDir;
  const network = topology.network;
  const nodes = topology.databaseNodes;
  const file = await renderProxyConfig(dir, {
    PROXY_LISTEN: `${topology.cloudHost}:${topology.proxyPort}`,
    DATABASE_UPSTREAM:
      nodes.length === 0
        ? `127.0.0.1:${topology.databasePort}`
        : nodes.map((node) => `${node.host}:${node.port}`).join(','),
    // A node that is down or cut off is passed over within a second, and left out for a few.
    ...(nodes.length === 0 ? {} : { PROXY_CONNECT_TIMEOUT: '1s', PROXY_FAIL_TIMEOUT: '5s' }),
    // The paper's allow-list, for real: only the local node may try to log in.
    PROXY_ALLOW_FROM: network.mode === 'netns' ? network.localAddress : '127.0.0.1',
  });
  const namespace = network.mode === 'netns' ? network.namespace : undefined;
  await testProxyConfig(file, namespace);
  const pidFile = join(dir, 'nginx.pid');
  rmSync(pidFile, { force: true });
  startDetached({
    stateDir: topology.stateDir,
    name: PROXY,
    command: findBinary('nginx', ['/usr/sbin']),
    args: ['-p', dir, '-e', join(dir, 'error.log'), '-c', file, '-g', 'daemon off;'],
    env: { PATH: process.env.PATH ?? '' },
    logFile: join(dir, 'error.log'),
    namespace,
  });
  // nginx writes its pid file once its listening sockets are open.
  const deadline = Date.now() + 10_000;
  while (!existsSync(pidFile)) {
    if (runningPid(topology.stateDir, PROXY) === undefined)
      throw new Error(`nginx exited while starting:\n${logTail(join(dir, 'error.log'))}`);
    if (Date.now() > deadline) throw new Error('nginx did not start within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The dynamic stream module to load, or undefined when this nginx has it built in (or there is no
 * nginx). Throws when this nginx has no stream module at all.
 */
export function streamModule(): string | undefined {
  const nginx = locateBinary('nginx', ['/usr/sbin']);
  if (nginx === undefined) return undefined;
  // nginx -V prints its configure flags on stderr.
  const { stdout, stderr } = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  const flags = `${stdout}${stderr}`;
  if (!flags.includes('--with-stream=dynamic')) {
    if (/--with-stream(\s|$)/.test(flags)) return undefined;
    throw new Error('nginx has no stream module: install libnginx-mod-stream');
  }
  const module = MODULE_DIRS.map((dir) => join(dir, 'ngx_stream_module.so')).find(existsSync);
  if (module === undefined) throw new Error('ngx_stream_module.so not found: install libnginx-mod-stream');
  return module;
}
