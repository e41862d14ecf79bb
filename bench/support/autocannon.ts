import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON = new URL('../../node_modules/autocannon/autocannon.js', import.meta.url).pathname;
const RUNNER = new URL('./load-with-bodies.ts', import.meta.url).pathname;

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
}

/**
 * Loads `url` with autocannon in its own process, so the load generator never shares an event
 * loop with the server it measures.
 */
export async function load(
  url: string,
  options: {
    connections?: number;
    seconds?: number;
    /** The request, when not a plain GET: method, headers, body. */
    request?: { method: string; headers: Readonly<Record<string, string>>; body: string };
    /**
     * A request whose body differs every time: `body(i)`, exported by the module at `bodyModule`,
     * is the i-th request's.
     */
    varying?: { method: string; headers: Readonly<Record<string, string>>; bodyModule: string };
  } = {},
): Promise<LoadResult> {
  const { request, varying } = options;
  const connections = options.connections ?? 50;
  const seconds = options.seconds ?? 10;
  const args = varying
    ? ['--import', 'tsx', RUNNER, JSON.stringify({ url, connections, seconds, ...varying })]
    : [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), ...cliRequest(request), url];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function cliRequest(request?: { method: string; headers: Readonly<Record<string, string>>; body: string }) {
  return request
    ? [
        '-m',
        request.method,
        ...Object.entries(request.headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]),
        '-b',
        request.body,
      ]
    : [];
}
