import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker thread whose module is `name` beside the module at `from` (its
 * `import.meta.url`): the built `name.js` (the bundle has it as an entry of its own), or, run from
 * the TypeScript sources (tests, benches), `name.ts` through tsx, which a worker does not inherit.
 */
export function startWorker(name: string, from: string, workerData: unknown): Worker {
  const built = new URL(`./${name}.js`, from);
  if (existsSync(built)) return new Worker(built, { workerData });
  const source = JSON.stringify(new URL(`./${name}.ts`, from).href);
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${source}); });`,
    { eval: true, workerData },
  );
}
