import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../../src/db/migrations/migrate-to-latest.js';
import { type Database, openDb } from '../../../src/db/open-db.js';
import { captureLogger } from '../../support/capture-logger.js';
import { createTestDashboard } from '../../support/test-dashboard.js';

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('what a browser gets when the dashboard has no page or fails', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-error-page-'));
  let db: Database;
  let dashboard: ReturnType<typeof createTestDashboard>;
  const { logger, lines } = captureLogger('error');

  before(async () => {
    db = openDb({ dialect: 'sqlite', path: join(dir, 'clima.db') });
    await migrateToLatest(db);
    dashboard = createTestDashboard({ db, logger });
  });
  after(async () => {
    await dashboard.app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string>) =>
    dashboard.app.inject({ method: 'GET', url, headers });

  it('answers a page that does not exist with an HTML 404 in the visitor language, the path escaped', async () => {
    const response = await get("/nada&amp;<b>'x'?y=1", { ...BROWSER, 'accept-language': 'es-CO,es;q=0.9' });
    assert.equal(response.statusCode, 404);
    assert.match(response.headers['content-type'] as string, /^text\/html; charset=utf-8/);
    assert.match(response.body, /<html lang="es">/);
    // `<` arrives percent-encoded, as browsers send it; `&` and `'` arrive as they are.
    assert.match(response.body, /No hay ninguna página en \/nada&amp;amp;%3Cb%3E&#39;x&#39;\./);
    assert.match(response.body, /<a href="\/\?lang=es">Volver al panel<\/a>/);
    assert.ok(!response.body.includes("'x'"), 'the path is text, never markup');
  });

  it('keeps JSON for clients that do not ask for HTML, and for the API whatever they ask', async () => {
    const plain = await get('/nothing', { accept: 'application/json' });
    assert.equal(plain.statusCode, 404);
    assert.equal(plain.json().error.code, 'not_found');
    const api = await get('/api/nothing', BROWSER);
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'not_found');
  });

  it('answers a failed page with an HTML 500 that keeps the detail in the log', async () => {
    await sql`DROP TABLE mediciones`.execute(db.kysely);
    const response = await get('/', { ...BROWSER, 'accept-language': 'en' });
    assert.equal(response.statusCode, 500);
    assert.match(response.headers['content-type'] as string, /^text\/html/);
    assert.match(response.body, /Something went wrong/);
    assert.ok(!/mediciones|SQLITE/i.test(response.body), 'no SQL in the page');
    assert.ok(
      lines.some((line) => /no such table: mediciones/.test(JSON.stringify(line))),
      'logged',
    );
    const api = await get('/api/latest', BROWSER);
    assert.deepEqual(api.json(), { error: { code: 'internal', message: 'internal error' } });
  });
});
