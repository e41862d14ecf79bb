#!/usr/bin/env node
// Bundles the CLI into dist/bundle/: one file to parse at start instead of hundreds of modules
// (Kysely alone is ~280), which is most of the start-up time of a one-shot command such as
// `clima backup --once`. The dashboard's code is split into a chunk loaded only by the commands
// that serve it. The page's own script is bundled apart, for browsers, into dist/public/, where
// the dashboard serves it from. Type checking is tsc's job (npm run build, npm run lint).
import { chmodSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const outdir = `${root}dist/bundle`;
const publicDir = `${root}dist/public`;

rmSync(outdir, { recursive: true, force: true });
rmSync(publicDir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { clima: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Loaded from node_modules as installed: a native addon; pino, which starts its transports
  // from files of its own; and the dashboard's server, only ever loaded lazily.
  external: ['better-sqlite3', 'pino', 'pino-pretty', 'fastify', '@fastify/*'],
  // The bundled CommonJS packages (mysql2) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as createRequireOfBundle } from 'node:module';\nconst require = createRequireOfBundle(import.meta.url);",
  },
});
chmodSync(`${outdir}/clima.js`, 0o755);

// One classic script, deferred by the page; uPlot stays its own file (/assets/uplot.js), a global.
await build({
  absWorkingDir: root,
  entryPoints: { dashboard: 'src/dashboard/browser/dashboard.ts' },
  outdir: publicDir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
