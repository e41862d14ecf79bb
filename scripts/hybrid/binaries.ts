import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** The Debian package that brings each program the topology runs. */
export const PACKAGES: Record<string, string> = {
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  mariadb: 'mariadb-client',
  nginx: 'nginx libnginx-mod-stream',
  openssl: 'openssl',
};

/** The first executable `name` in `extraDirs` or PATH, or undefined. */
export function locateBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(':').filter(Boolean)];
  return dirs.map((dir) => join(dir, name)).find(isExecutable);
}

/** As `locateBinary`, but a missing program is an error saying what to install. */
export function findBinary(name: string, extraDirs: readonly string[] = []): string {
  const found = locateBinary(name, extraDirs);
  if (found === undefined)
    throw new Error(`${name} not found: install ${PACKAGES[name] ?? name} (apt-get install ...)`);
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
