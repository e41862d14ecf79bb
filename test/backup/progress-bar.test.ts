import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressBar } from '../../src/backup/progress-bar.js';
import { capturedStream } from '../support/captured-stream.js';

describe('the progress bar', () => {
  it('draws rate and ETA in place on a terminal, at most ten times a second, and clears itself', () => {
    const { sink, written } = capturedStream(true);
    let now = 0;
    const bar = createProgressBar(sink, () => now);
    bar.update('restoring', 0, 50_000, 'rows');
    now = 2_000;
    bar.update('restoring', 20_000, 50_000, 'rows');
    now = 2_050;
    bar.update('restoring', 21_000, 50_000, 'rows');
    const lines = written().split('\r').filter(Boolean);
    assert.equal(lines.length, 2, 'the third update came too soon');
    assert.equal(
      lines[1],
      'restoring [##########--------------] 40%  20,000/50,000 rows  10,000 rows/s  ETA 3s\x1b[K',
    );
    bar.clear();
    assert.ok(written().endsWith('\r\x1b[K'));
  });

  it('writes nothing when stderr is not a terminal', () => {
    const { sink, written } = capturedStream(false);
    const bar = createProgressBar(sink);
    bar.update('verifying', 1, 2, 'bytes');
    bar.clear();
    assert.equal(written(), '');
  });
});
