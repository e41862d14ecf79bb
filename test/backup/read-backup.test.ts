import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBackup } from '../../src/backup/read-backup.js';
import { sha256Of } from './backup-fixtures.js';

/** The reader takes the file in chunks of this many bytes (see read-backup.ts). */
const CHUNK = 1 << 18;

/** A one-row backup, padded with whitespace so that the last character of `city` starts at byte `at`. */
function fileWithLastCharacterAt(at: number, city: string): Buffer {
  const head = '{"id": 1, "ciudad": "';
  const tail = '", "temperatura": 20.1, "humedad": 91, "fecha_registro": "2025-12-08 09:38:05"}]';
  const last = [...city].at(-1) ?? '';
  const before = Buffer.byteLength(`[${head}${city.slice(0, -last.length)}`);
  return Buffer.from(`[${' '.repeat(at - before)}${head}${city}${tail}`, 'utf8');
}

describe('reading a backup file', () => {
  let dir: string;
  let files = 0;
  const write = (content: Buffer | string) => {
    const path = join(dir, `f${++files}.json`);
    writeFileSync(path, content);
    return path;
  };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'clima-read-backup-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads characters cut by a chunk boundary, and hashes every byte', async () => {
    for (const city of ['Bogotá', 'Ñuñoa 🌧']) {
      // The last character (2 or 4 bytes) starts 1 to 3 bytes before the end of the first chunk.
      for (let inFirstChunk = 1; inFirstChunk < Buffer.byteLength([...city].at(-1) ?? ''); inFirstChunk++) {
        const path = write(fileWithLastCharacterAt(CHUNK - inFirstChunk, city));
        const cities: string[] = [];
        const summary = await readBackup(path, {
          onRows: (rows) => void cities.push(...rows.map((r) => r.ciudad)),
        });
        assert.equal(summary.problem, undefined);
        assert.deepEqual(cities, [city]);
        assert.equal(summary.sha256, sha256Of(path));
      }
    }
  });

  it('refuses text that is not UTF-8, such as a Latin-1 file', async () => {
    const latin1 = Buffer.from(
      '[{"id": 1, "ciudad": "Bogot\u00e1", "temperatura": 20.1, "humedad": 91, "fecha_registro": "2025-12-08 09:38:05"}]',
      'latin1',
    );
    const summary = await readBackup(write(latin1));
    assert.match(summary.problem ?? '', /^not UTF-8 text/);
    const cut = fileWithLastCharacterAt(100, 'Bogotá').subarray(0, 101);
    assert.match((await readBackup(write(cut))).problem ?? '', /^not UTF-8 text/);
  });

  it('reports the rows and bounds it read', async () => {
    const rows = [3, 9, 12].map((id, i) => ({
      id,
      ciudad: 'Cali',
      temperatura: 20,
      humedad: 50,
      fecha_registro: `2025-12-0${3 - i} 00:00:00`,
    }));
    const summary = await readBackup(write(JSON.stringify(rows)));
    assert.deepEqual(
      [summary.rowCount, summary.minId, summary.maxId, summary.minFechaRegistro, summary.maxFechaRegistro],
      [3, 3, 12, '2025-12-01 00:00:00', '2025-12-03 00:00:00'],
    );
  });
});
