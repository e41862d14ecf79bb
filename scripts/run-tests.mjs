#!/usr/bin/env node
// The one test command: every *.test.ts under test/, through Node's own runner with tsx.
// Node 20's runner has no glob support, so the files are found here. With CI=true a skipped
// test fails the run: CI installs every binary the tests need, so a skip there means a gap.
import { spawn, spawnSync } from 'node:child_process';
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

// Two lanes side by side, each one file at a time. The drills (the topology tests and the restore
// drills) spend minutes waiting out the outages they cause (a cloud down for 60 s, a link cut for
// 20 s) or a database loading: time the other lane uses. The other lane reports as it goes; the
// drills' report is printed once they end.
const DRILLS = [
  'test/system/galera.test.ts',
  'test/system/hybrid.test.ts',
  'test/system/outbox.test.ts',
  'test/backup/restore-drill.mariadb.test.ts',
  'test/backup/restore-drill.sqlite.test.ts',
];
const lanes = [
  { name: 'tests', files: files.filter((file) => !DRILLS.includes(file)), live: true },
  { name: 'drills', files: files.filter((file) => DRILLS.includes(file)), live: false },
].filter((lane) => lane.files.length > 0);

function runLane(lane) {
  const tap = join(root, 'test-output', `${lane.name}.tap`);
  const report = join(root, 'test-output', `${lane.name}.txt`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      `--test-reporter-destination=${lane.live ? 'stdout' : report}`,
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...lane.files,
    ],
    { cwd: root, stdio: lane.live ? 'inherit' : ['ignore', 'ignore', 'inherit'] },
  );
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ lane, tap, report, status: code ?? (signal ? 1 : 0) }));
  });
}

const results = await Promise.all(lanes.map(runLane));
const count = (text, what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
let failed = false;
let skipped = 0;
for (const { lane, tap, report, status } of results) {
  if (!lane.live) process.stdout.write(`\n${readFileSync(report, 'utf8')}`);
  const text = readFileSync(tap, 'utf8');
  skipped += count(text, 'skip');
  console.log(
    `${lane.name} (${lane.files.length} files): ${count(text, 'pass')} passed, ${count(text, 'fail')} failed, ${count(text, 'skip')} skipped (test-output/${lane.name}.tap)`,
  );
  failed ||= status !== 0;
}
if (failed) process.exit(1);
if (skipped > 0 && process.env.CI === 'true') {
  console.error(`\n${skipped} test(s) skipped: with CI=true every test must run (see test-output/*.tap)`);
  process.exit(1);
}
