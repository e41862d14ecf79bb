#!/usr/bin/env -S node --max-semi-space-size=8 --max-old-space-size=512
// The heap is sized here, where node starts, because V8 reads these flags only then. On a large
// host V8 allows itself a 4 GB heap and lets it grow to four times what is live between two full
// collections: a restore of a million rows, with about 20 MB live, peaked near 180 MB. A 512 MB
// bound, still far above what any clima service keeps, makes V8 grow the heap far less; a young
// generation of 8 MB instead of 16 costs no measurable time. Backup and restore then stay near
// 100 MB from 100,000 rows to 10,000,000 (npm run bench:backup).
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
