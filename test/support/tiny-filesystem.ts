import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from './cleanup-on-exit.js';

/** A file system of a few hundred KiB mounted on `dir`, to fill up for real. */
export interface TinyFilesystem {
  readonly dir: string;
  /** `tmpfs`, or `ext2 loop` where tmpfs cannot be mounted. */
  readonly kind: string;
  unmount(): void;
}

/**
 * Mounts a tmpfs of `bytes` (as root), or failing that an ext2 image on a loop device. Returns a
 * reason to skip when neither works; with `CI=true` that is an error instead, since CI runs as root.
 */
export function mountTinyFilesystem(bytes: number): TinyFilesystem | { readonly skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'clima-tiny-fs-'));
  const image = `${dir}.img`;
  const attempts: [string, () => void][] = [
    ['tmpfs', () => run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', dir])],
    [
      'ext2 loop',
      () => {
        run('truncate', ['-s', String(bytes), image]);
        run('mkfs.ext2', ['-q', '-F', '-m', '0', image]);
        run('mount', ['-o', 'loop', image, dir]);
      },
    ],
  ];
  const failures: string[] = [];
  for (const [kind, mount] of attempts) {
    try {
      mount();
      const unregister = registerCleanup(() => cleanUp(dir, image));
      return {
        dir,
        kind,
        unmount() {
          cleanUp(dir, image);
          unregister();
        },
      };
    } catch (error) {
      failures.push(`${kind}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  cleanUp(dir, image);
  const reason = `cannot mount a tiny file system (needs root): ${failures.join('; ')}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: skipping is not allowed)`);
  console.error(`\n${'!'.repeat(100)}\n!! SKIPPING: ${reason}\n${'!'.repeat(100)}\n`);
  return { skip: reason };
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function cleanUp(dir: string, image: string): void {
  try {
    run('umount', ['-l', dir]);
  } catch {
    // not mounted
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(image, { force: true });
}

/** Fills the file system under `dir` to its last byte with a file of its own; the function returned frees it. */
export function fillUp(dir: string): () => void {
  const path = join(dir, 'ballast');
  const fd = openSync(path, 'a');
  try {
    for (const size of [65_536, 4_096, 512, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return () => rmSync(path, { force: true });
}
