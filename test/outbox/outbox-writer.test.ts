import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { type OutboxRow, openOutbox, toOutboxRow } from '../../src/outbox/outbox.js';
import { startOutboxWriter } from '../../src/outbox/outbox-writer.js';
import { captureLogger } from '../support/capture-logger.js';
import { readingAt, T0 } from './reading-at.js';

const rows = (from: number, to: number): OutboxRow[] =>
  Array.from({ length: to - from }, (_, i) => toOutboxRow(readingAt(from + i)));

describe('the outbox writer thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-outbox-writer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const open = (maxRows: number) => {
    const path = join(dir, `outbox-${++files}.db`);
    const log = captureLogger();
    const outbox = openOutbox({ path, maxRows, clock: new ManualClock(T0), logger: log.logger });
    return { outbox, writer: startOutboxWriter({ path, maxRows }), log };
  };

  it('commits on its own connection what the outbox then hands out, each group told how many of its own were new', async () => {
    const { outbox, writer } = open(1_000);
    outbox.append([readingAt(0)]);
    const result = await writer.commit([rows(0, 3), rows(2, 5)], outbox.depthAtMost(5));
    assert.deepEqual(result, { perGroup: [2, 2], appended: 4, dropped: 0 });
    outbox.noteCommitted(result);
    assert.equal(outbox.stats().depth, 5);
    assert.deepEqual(
      outbox.take(10).map((queued) => queued.reading),
      [0, 1, 2, 3, 4].map((i) => readingAt(i)),
    );
    await writer.close();
    outbox.close();
  });

  it('drops only true overflow when the depth it is given is an overestimate, and the outbox logs the drop', async () => {
    const { outbox, writer, log } = open(10);
    outbox.append(rows(0, 8).map((_, i) => readingAt(i)));
    outbox.acknowledge(outbox.take(6).map((queued) => queued.seq));
    // Two rows queued; the bound says up to 30.
    const roomy = await writer.commit([rows(100, 105)], 30);
    assert.equal(roomy.dropped, 0);
    outbox.noteCommitted(roomy);
    const full = await writer.commit([rows(200, 206)], outbox.depthAtMost(6));
    assert.deepEqual(full, { perGroup: [6], appended: 6, dropped: 3 });
    outbox.noteCommitted(full);
    outbox.logDrops(true);
    assert.equal(outbox.stats().depth, 10);
    assert.equal(outbox.stats().droppedTotal, 3);
    assert.match(log.messages().join('\n'), /dropped the 3 oldest readings/);
    await writer.close();
    outbox.close();
  });

  it("fails a commit SQLite refuses with SQLite's code, and keeps committing", async () => {
    const { outbox, writer } = open(1_000);
    // A strict table refuses text for a number, whatever the insert's conflict clause.
    const bad = [...(rows(0, 1)[0] as OutboxRow)] as unknown[];
    bad[2] = 'warm';
    await assert.rejects(writer.commit([[bad as unknown as OutboxRow]], 0), {
      code: 'SQLITE_CONSTRAINT_DATATYPE',
    });
    assert.equal((await writer.commit([rows(0, 2)], 0)).appended, 2);
    await writer.close();
    // Closed, the next commit starts a thread again.
    assert.equal((await writer.commit([rows(2, 3)], 2)).appended, 1);
    await writer.close();
    outbox.close();
  });
});
