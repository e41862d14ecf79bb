import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verifyBackup } from '../../src/backup/verify-backup.js';
import { fileErrorReason } from '../../src/core/file-error.js';

describe('fileErrorReason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-file-error-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const missing = join(dir, 'mediciones-20260101T000000Z.json');

  it("says why a file operation failed without repeating the file's path", async () => {
    const error = await stat(missing).catch((e: unknown) => e);
    assert.equal(fileErrorReason(error), 'no such file or directory (ENOENT)');
  });

  it('gives any other error its message as it is', () => {
    assert.equal(fileErrorReason(new Error('disk on fire')), 'disk on fire');
    assert.equal(fileErrorReason('plain text'), 'plain text');
  });

  it('lets backup verify name a missing snapshot once', async () => {
    const { problems } = await verifyBackup(missing);
    assert.deepEqual(problems, [`cannot read ${missing}: no such file or directory (ENOENT)`]);
  });
});
