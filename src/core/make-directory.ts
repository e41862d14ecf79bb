import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p`. Not `mkdirSync(dir, { recursive: true })`: on Node 20 that spins forever when a
 * parent exists but cannot hold directories (a path under /proc, a dangling symlink).
 */
export function makeDirectory(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
    makeDirectory(dirname(dir));
    try {
      mkdirSync(dir);
    } catch (again) {
      // The parent exists now, so a second ENOENT is final.
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    }
  }
}
