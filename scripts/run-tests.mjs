#!/usr/bin/env node
// The one test command: every *.test.ts under test/, through Node's own runner with tsx.
// Node 20's runner has no glob support, so the files are found here. With CI=true a skipped
// test fails the run: CI installs every binary the tests need, so a skip there means a gap.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const files = findTests(join(root, 'test'))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// The CLI tests run the built bundle, exactly what `npm start` runs, so build it first.
for (const step of [
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  [join(root, 'scripts/bundle.mjs')],
]) {
  const build = spawnSync(process.execPath, step, { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

mkdirSync(join(root, 'test-output'), { recursive: true });
const tap = join(root, 'test-output', 'results.tap');
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) process.exit(result.status ?? 1);

const skipped = Number(/^# skip (\d+)$/m.exec(readFileSync(tap, 'utf8'))?.[1] ?? 0);
if (skipped > 0 && process.env.CI === 'true') {
  console.error(
    `\n${skipped} test(s) skipped: with CI=true every test must run (see test-output/results.tap)`,
  );
  process.exit(1);
}
