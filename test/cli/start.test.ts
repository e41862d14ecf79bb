import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenMeteo } from '../support/fake-open-meteo.js';
import { freePort } from '../support/free-port.js';
import { mariadbSuite } from '../support/mariadb-server.js';
import { runClima, startClima, waitFor } from '../support/run-clima.js';

const PAPER_QUERY = 'SELECT * FROM mediciones ORDER BY id DESC LIMIT 15';

function sqlite(file: string, query: string): string[][] {
  return execFileSync('sqlite3', ['-separator', '\t', file, query], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
}

describe('clima start on the embedded default', () => {
  let cwd: string;
  before(() => {
    cwd = mkdtempSync(join(tmpdir(), 'clima-start-'));
  });
  after(() => rmSync(cwd, { recursive: true, force: true }));

  it('stores 7 simulated readings per tick in ./data/clima.db when Open-Meteo is unreachable', async () => {
    const port = await freePort();
    const clima = startClima(['start'], {
      cwd,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        SENSOR_INTERVAL_S: '1',
        OPEN_METEO_URL: `http://127.0.0.1:${await freePort()}`,
        LOG_LEVEL: 'info',
      },
    });
    try {
      const file = join(cwd, 'data', 'clima.db');
      const rows = await waitFor(
        () => {
          try {
            const rows = sqlite(file, PAPER_QUERY);
            return rows.length >= 14 ? rows : undefined;
          } catch {
            return undefined;
          }
        },
        15_000,
        'two ticks of readings',
      );
      assert.equal(rows.length, 14);
      // The paper's columns come first, in order: id, ciudad, temperatura, humedad, fecha_registro.
      const [id, ciudad, temperatura, humedad, fecha] = rows[0] ?? [];
      assert.match(id ?? '', /^\d+$/);
      assert.ok(ciudad && ciudad.length > 0);
      assert.match(temperatura ?? '', /^-?\d+(\.\d)?$/);
      assert.match(humedad ?? '', /^\d{1,3}$/);
      assert.match(fecha ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      const perTick = sqlite(
        file,
        'SELECT fecha_registro, count(*), min(source), max(source) FROM mediciones GROUP BY 1',
      );
      for (const [, count, minSource, maxSource] of perTick) {
        assert.equal(count, '7');
        assert.equal(minSource, 'simulated');
        assert.equal(maxSource, 'simulated');
      }
      // The same process serves the dashboard on PORT, over the same database.
      const latest = await fetch(`http://127.0.0.1:${port}/api/latest`);
      assert.equal(latest.status, 200);
      const body = (await latest.json()) as { readings: { source: string }[] };
      assert.equal(body.readings.length, 7);
      assert.ok(body.readings.every((reading) => reading.source === 'simulated'));
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    } finally {
      assert.equal(await clima.stop('SIGTERM'), 0, clima.stdout() + clima.stderr());
    }
  });

  it('stores Open-Meteo readings when the API answers', async () => {
    const fake = await startFakeOpenMeteo();
    const dataDir = join(cwd, 'open-meteo');
    const clima = startClima(['start'], {
      cwd,
      env: {
        SENSOR_INTERVAL_S: '1',
        OPEN_METEO_URL: fake.url,
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
      },
    });
    try {
      const rows = await waitFor(
        () => {
          try {
            const rows = sqlite(join(dataDir, 'clima.db'), 'SELECT ciudad, source FROM mediciones');
            return rows.length >= 7 ? rows : undefined;
          } catch {
            return undefined;
          }
        },
        15_000,
        'a tick of readings',
      );
      assert.ok(rows.every(([, source]) => source === 'open-meteo'));
      assert.equal(fake.requests.length, 1, 'one request for all seven cities, then the cache');
    } finally {
      assert.equal(await clima.stop('SIGINT'), 0);
      await fake.close();
    }
  });

  it('fails clima migrate with exit 1 when the schema cannot be created', async () => {
    const { code, stdout } = await runClima(['migrate'], {
      cwd,
      // The folder exists, but nothing can be created in it.
      env: { DATABASE_URL: 'sqlite:/proc/clima.db', LOG_LEVEL: 'error' },
    });
    assert.equal(code, 1);
    assert.match(stdout, /migrate failed/);
  });
});

mariadbSuite('clima start on MariaDB', (server) => {
  it('stores readings that the paper query shows through the mariadb client', async (t) => {
    const { url, port } = server();
    const cwd = mkdtempSync(join(tmpdir(), 'clima-start-mariadb-'));
    t.after(() => rmSync(cwd, { recursive: true, force: true }));
    const clima = startClima(['start'], {
      cwd,
      env: {
        SENSOR_INTERVAL_S: '1',
        SENSOR_SOURCE: 'simulated',
        DATABASE_URL: url,
        PORT: String(await freePort()),
      },
    });
    try {
      const rows = await waitFor(
        () => {
          let out: string;
          try {
            out = execFileSync(
              'mariadb',
              [
                '--protocol=tcp',
                '-h',
                '127.0.0.1',
                '-P',
                String(port),
                '-u',
                'root',
                '-N',
                '-B',
                'clima',
                '-e',
                PAPER_QUERY,
              ],
              { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
            ).trim();
          } catch {
            return undefined; // the table does not exist until the first migration
          }
          const rows = out ? out.split('\n').map((line) => line.split('\t')) : [];
          return rows.length >= 7 ? rows : undefined;
        },
        20_000,
        'readings in MariaDB',
      );
      assert.match(rows[0]?.[4] ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    } finally {
      assert.equal(await clima.stop(), 0);
    }
  });
});
