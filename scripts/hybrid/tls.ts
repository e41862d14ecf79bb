import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findBinary } from './binaries.js';

const run = promisify(execFile);
const MAKE_CERTS = new URL('../../deploy/cloud/tls/make-certs.sh', import.meta.url).pathname;

/**
 * A CA (kept when `dir` has one) and a server certificate for `names` (`IP:...`, `DNS:...`), with
 * the script the README gives operators: `dir/ca.pem`, `dir/server-cert.pem`, `dir/server-key.pem`.
 */
export async function makeCertificates(dir: string, names: readonly string[]): Promise<void> {
  findBinary('openssl');
  await run('sh', [MAKE_CERTS, dir, ...names]);
}
