import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;
const TO_JSON = 'import json, sys, yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)';

/** The kustomize overlays an operator applies, by name (deploy/k8s/overlays/NAME). */
export const OVERLAYS = ['single', 'ha'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/** One rendered Kubernetes object, as `kubectl kustomize` prints it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: the objects are checked by their schemas, not by this type.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/**
 * The files an operator puts under deploy/k8s/base/secrets/ and overlays/ha/secrets/ before
 * applying (README, "Kubernetes"), by file name. `ha` files go to the ha overlay.
 */
export interface SecretFiles {
  readonly base: Readonly<Record<string, string>>;
  readonly ha: Readonly<Record<string, string>>;
}

/** Secret files with made-up values, as `openssl rand -hex` writes them (a trailing newline). */
export function exampleSecretFiles(): SecretFiles {
  const hex = (n: number) => `${'0123456789abcdef'.repeat(4).slice(0, n)}\n`;
  return {
    base: {
      mysql_root_password: hex(48),
      clima_sensor_password: hex(40),
      clima_reader_password: hex(44),
      clima_admin_password: hex(46),
      metrics_token: hex(64),
      'ca.pem': '-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n',
      'server-cert.pem': '-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n',
      'server-key.pem': '-----BEGIN PRIVATE KEY-----\nexample\n-----END PRIVATE KEY-----\n',
      mosquitto_passwd: `clima-ingest:$7$101$example\nfinca-1:$7$101$example\n`,
      mqtt_url: `mqtt://clima-ingest:${hex(32).trim()}@clima-mosquitto:1883`,
      'stations.json': `[{"name": "finca-1", "city": "Manizales", "tokenSha256": "${hex(64).trim()}"}]\n`,
    },
    ha: { clima_sst_password: hex(42) },
  };
}

/**
 * `kubectl kustomize deploy/k8s/overlays/<overlay>` with `secrets` as the operator's files, as
 * objects. Rendered from a copy of deploy/ (the secret files never land in the working tree); the
 * YAML becomes JSON through python3's yaml, as the compose checks do.
 */
export async function renderOverlay(overlay: Overlay, secrets: SecretFiles): Promise<K8sObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'clima-kustomize-'));
  try {
    cpSync(DEPLOY, dir, { recursive: true });
    for (const [name, text] of Object.entries(secrets.base))
      writeFileSync(join(dir, 'k8s/base/secrets', name), text, { mode: 0o600 });
    for (const [name, text] of Object.entries(secrets.ha))
      writeFileSync(join(dir, 'k8s/overlays/ha/secrets', name), text, { mode: 0o600 });
    return await kustomize(join(dir, 'k8s/overlays', overlay));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kubectl kustomize dir`, as objects; rejects with kubectl's message. */
export async function kustomize(dir: string): Promise<K8sObject[]> {
  let yaml: string;
  try {
    ({ stdout: yaml } = await run('kubectl', ['kustomize', dir], { maxBuffer: 32 * 1024 * 1024 }));
  } catch (error) {
    throw new Error(`kubectl kustomize ${dir}: ${(error as { stderr?: string }).stderr ?? error}`, {
      cause: error,
    });
  }
  return (await parseYaml(yaml)).filter((object): object is K8sObject => object !== null) as K8sObject[];
}

/** Every document of a YAML stream, through python3's yaml (no YAML parser in the dependencies). */
export async function parseYaml(yaml: string): Promise<unknown[]> {
  const json = await new Promise<string>((resolve, reject) => {
    const child = execFile('python3', ['-c', TO_JSON], { maxBuffer: 32 * 1024 * 1024 }, (error, out) =>
      error ? reject(error) : resolve(out),
    );
    child.stdin?.end(yaml);
  });
  return JSON.parse(json) as unknown[];
}

/** The object of `kind` named `name`; generated ConfigMaps and Secrets by their name before the hash. */
export function find(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.filter(
    (object) =>
      object.kind === kind &&
      (object.metadata.name === name ||
        ((kind === 'ConfigMap' || kind === 'Secret') && generatedName(object.metadata.name) === name)),
  );
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0] as K8sObject;
}

/** A generated ConfigMap's or Secret's name without kustomize's content hash. */
function generatedName(name: string): string {
  return name.replace(/-[a-z0-9]{10}$/, '');
}

/** The pod template of a workload (Deployment, StatefulSet, Job, CronJob). */
// biome-ignore lint/suspicious/noExplicitAny: a pod template, checked by its schema.
export function podTemplate(workload: K8sObject): any {
  return workload.kind === 'CronJob' ? workload.spec.jobTemplate.spec.template : workload.spec.template;
}

export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob']);

/** Every workload of the rendered objects. */
export function workloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((object) => WORKLOAD_KINDS.has(object.kind));
}

/** Whether `labels` satisfy a `matchLabels` selector (the only kind the manifests use). */
export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
) {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
