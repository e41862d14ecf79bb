import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/load-config.js';

/**
 * The folder of a SQLite `DATABASE_URL` must exist unless it is `DATA_DIR`, which is clima's own
 * and created when missing. Creating any other folder would turn a typo in the path into a new,
 * empty database that the services then run on while the real one sits elsewhere.
 * @throws ConfigError naming `DATABASE_URL` and the folder.
 */
export function checkDatabaseFolder(config: Config): void {
  const { database, dataDir } = config;
  if (database.dialect !== 'sqlite' || database.path === ':memory:') return;
  const folder = dirname(database.path);
  if (resolve(folder) === resolve(dataDir)) return;
  const problem = folderProblem(folder);
  if (problem === undefined) return;
  throw new ConfigError(
    'DATABASE_URL',
    `the folder ${folder} of sqlite:${database.path} ${problem}: create it, or correct the path (only DATA_DIR is created when missing)`,
  );
}

function folderProblem(folder: string): string | undefined {
  try {
    return statSync(folder).isDirectory() ? undefined : 'is not a folder';
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    // Anything else (no permission) is for opening the file to report, with its own reason.
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : undefined;
  }
}
