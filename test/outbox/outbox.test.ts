import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { openOutbox } from '../../src/outbox/outbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { readingAt, T0 } from './reading-at.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => readingAt(from + i));

describe('outbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-outbox-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const open = (maxRows = 1_000_000, path = join(dir, `outbox-${++files}.db`)) => {
    const log = captureLogger();
    const clock = new ManualClock(T0);
    return { outbox: openOutbox({ path, maxRows, clock, logger: log.logger }), path, clock, log };
  };

  it('keeps what it was given across a reopen, with every field intact', () => {
    const { outbox, path } = open();
    assert.equal(outbox.append(range(0, 10)), 10);
    outbox.close();
    const again = openOutbox({
      path,
      maxRows: 100,
      clock: new ManualClock(T0),
      logger: captureLogger().logger,
    });
    assert.equal(again.stats().depth, 10);
    assert.deepEqual(
      again.take(100).map((q) => q.reading),
      range(0, 10),
    );
    assert.equal(again.stats().oldestTakenAt?.toISOString(), '2026-08-20T12:00:00.000Z');
    again.close();
  });

  it('queues a reading key once', () => {
    const { outbox } = open();
    outbox.append(range(0, 5));
    assert.equal(outbox.append(range(3, 8)), 3);
    assert.equal(outbox.stats().depth, 8);
    outbox.close();
  });

  it("commits several callers' groups at once, each told how many of its own were new", () => {
    const { outbox } = open();
    outbox.append(range(0, 5));
    assert.deepEqual(outbox.appendGroups([range(3, 8), range(6, 9), []]), [3, 1, 0]);
    assert.equal(outbox.stats().depth, 9);
    outbox.close();
  });

  it('hands out the oldest first, and readings queued since the last batch ahead of the backlog', () => {
    const { outbox } = open();
    outbox.append(range(0, 100));
    const first = outbox.take(10);
    assert.deepEqual(
      first.map((q) => q.reading.takenAt.getTime()),
      range(0, 10).map((r) => r.takenAt.getTime()),
    );
    outbox.acknowledge(first.map((q) => q.seq));
    outbox.append([readingAt(1_000)]);
    const second = outbox.take(10);
    assert.equal(second[0]?.reading.key, readingAt(1_000).key, 'the live reading waits one batch at most');
    assert.deepEqual(
      second.slice(1).map((q) => q.reading.key),
      range(10, 19).map((r) => r.key),
    );
    outbox.close();
  });

  it('forgets only what was acknowledged, and counts it as sent', () => {
    const { outbox, path } = open();
    outbox.append(range(0, 20));
    const batch = outbox.take(5);
    outbox.acknowledge(batch.map((q) => q.seq));
    assert.equal(outbox.stats().depth, 15);
    assert.equal(outbox.stats().sentTotal, 5);
    outbox.close();
    const again = openOutbox({
      path,
      maxRows: 100,
      clock: new ManualClock(T0),
      logger: captureLogger().logger,
    });
    assert.deepEqual(again.stats(), {
      depth: 15,
      oldestTakenAt: readingAt(5).takenAt,
      sentTotal: 5,
      droppedTotal: 0,
    });
    again.close();
  });

  it('drops the oldest when full, counts every drop and logs them at most once a minute', () => {
    const { outbox, clock, log } = open(10);
    outbox.append(range(0, 10));
    for (let i = 10; i < 40; i++) {
      outbox.append([readingAt(i)]);
      clock.advance(5_000);
    }
    const kept = outbox.take(100).map((q) => q.reading.key);
    assert.deepEqual(
      kept,
      range(30, 40).map((r) => r.key),
    );
    assert.equal(outbox.stats().droppedTotal, 30);
    outbox.close();
    const drops = log.lines.filter((line) => line.msg.startsWith('outbox full'));
    assert.ok(drops.length <= 4, `${drops.length} log lines over 150 s`);
    assert.equal(
      drops.reduce((sum, line) => sum + (line.dropped as number), 0),
      30,
      'the log adds up to the counter',
    );
  });
});
