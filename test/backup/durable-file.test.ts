import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPendingFile } from '../../src/backup/durable-file.js';

describe('a file written under a temporary name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-durable-file-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('says when each chunk is written out, in order, once its bytes are in the file', async () => {
    const file = await createPendingFile(dir, 'chunks.json');
    const chunks = [Buffer.from('[1,'), Buffer.alloc(0), Buffer.from('2,'), Buffer.from('3]')];
    const seen: { index: number; size: number }[] = [];
    for (const [index, chunk] of chunks.entries()) {
      await file.write(chunk, () => seen.push({ index, size: statSync(file.tempPath).size }));
    }
    await file.finish();
    assert.deepEqual(seen.map(({ index }) => index).sort(), [0, 1, 2, 3]);
    const written = seen.filter(({ index }) => index !== 1);
    assert.deepEqual(
      written.map(({ index }) => index),
      [0, 2, 3],
    );
    assert.deepEqual(
      written.map(({ size }) => size),
      [3, 5, 7],
    );
    assert.equal(readFileSync(file.tempPath, 'utf8'), '[1,2,3]');
    assert.equal(file.bytes, 7);
  });

  it('never says a chunk is written when writing it failed', async () => {
    const file = await createPendingFile(dir, 'failed.json');
    await file.discard();
    let written = false;
    await file.write(Buffer.from('lost'), () => {
      written = true;
    });
    await assert.rejects(file.finish());
    assert.equal(written, false);
  });
});
