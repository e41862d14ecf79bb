// The compose files as Debian's docker-compose reads them (`docker-compose config`: schema and
// interpolation), as JSON through python3's yaml: for the deployment checks of test/system and test/k8s.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TO_JSON = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';

export interface ComposeService {
  image?: string;
  command?: string[];
  entrypoint?: string[];
  ports?: { published: number; target: number }[];
  networks?: Record<string, unknown>;
  volumes?: string[];
  secrets?: { source: string }[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  deploy?: { resources?: { limits?: { cpus?: number | string; memory?: string } } };
}

export interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** `docker-compose config` of `files` in `dir` with `envFile`: the effective file, as JSON. */
export async function composeConfig(dir: string, files: string[], envFile: string): Promise<Compose> {
  const args = ['--env-file', envFile, ...files.flatMap((file) => ['-f', file]), 'config'];
  const { stdout } = await run('docker-compose', args, { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  const json = await new Promise<string>((resolve, reject) => {
    const child = execFile('python3', ['-c', TO_JSON], (error, out) =>
      error ? reject(error) : resolve(out),
    );
    child.stdin?.end(stdout);
  });
  return JSON.parse(json) as Compose;
}
