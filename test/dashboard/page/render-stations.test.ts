import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageModel } from '../../../src/dashboard/page/page-model.js';
import { renderPage } from '../../../src/dashboard/page/render-page.js';
import { latest, normalModel, reading, XSS, XSS_ESCAPED } from './page-models.js';
import { parseDocument, type TinyElement } from './tiny-dom.js';

const finca = reading(90, 'Manizales', '2024-05-14T19:29:00Z', {
  source: 'device',
  station: 'finca-1',
  temperature: 18.3,
  humidity: 88,
});

function withStations(overrides: Partial<PageModel> = {}): PageModel {
  return normalModel({
    stations: [
      { name: 'finca-1', city: 'Manizales', latest: latest(finca, 60) },
      { name: 'finca-2', city: 'Pereira', latest: undefined },
    ],
    ...overrides,
  });
}

function stationsPanel(model: PageModel): TinyElement {
  const panel = parseDocument(renderPage(model)).getElementById('stations');
  assert.ok(panel, '#stations is rendered');
  return panel;
}

const cells = (row: TinyElement | undefined) =>
  (row?.elements ?? []).map((cell) => cell.text.replace(/\s+/g, ' ').trim());

describe('stations on the page', () => {
  it('shows each station with its city, its newest reading, a device badge and its history', () => {
    const panel = stationsPanel(withStations());
    assert.equal(panel.getAttribute('data-state'), 'ok');
    assert.equal(panel.querySelector('h2')?.text, 'Latest per station');
    const [first, second] = panel.querySelectorAll('tbody tr');
    assert.equal(first?.getAttribute('data-station'), 'finca-1');
    assert.deepEqual(cells(first), [
      'finca-1',
      'Manizales',
      '18.3 °C',
      '88 %',
      '14:29:00',
      '1 min ago',
      'station',
      'readings of the last day (JSON)',
    ]);
    assert.equal(first?.querySelector('.badge-source')?.getAttribute('data-source'), 'device');
    assert.equal(first?.querySelector('a')?.getAttribute('href'), '/api/stations/finca-1/readings');
    // A station that has sent nothing yet is listed all the same, and says so.
    assert.equal(second?.getAttribute('data-state'), 'empty');
    assert.deepEqual(cells(second), [
      'finca-2',
      'Pereira',
      '',
      '',
      '',
      'no reading yet',
      '',
      'readings of the last day (JSON)',
    ]);
    assert.equal(second?.querySelector('.badge-source')?.hidden, true, 'no source before a reading');
  });

  it('speaks Spanish on the Spanish page', () => {
    const panel = stationsPanel(withStations({ lang: 'es' }));
    assert.equal(panel.querySelector('h2')?.text, 'Última lectura por estación');
    const [first, second] = panel.querySelectorAll('tbody tr');
    assert.equal(first?.querySelector('.badge-source')?.text, 'estación');
    assert.equal(cells(second)[5], 'aún sin lecturas');
    assert.equal(first?.querySelector('a')?.text, 'lecturas del último día (JSON)');
  });

  it('escapes a station name in its text and in its link', () => {
    const html = renderPage(normalModel({ stations: [{ name: `a/${XSS}`, city: XSS, latest: undefined }] }));
    assert.ok(!html.includes(XSS), 'no markup from a station name');
    assert.ok(html.includes(XSS_ESCAPED));
    const link = stationsPanel(
      normalModel({ stations: [{ name: 'a/b c', city: 'Pereira', latest: undefined }] }),
    ).querySelector('a');
    assert.equal(link?.getAttribute('href'), '/api/stations/a%2Fb%20c/readings');
  });

  it('says the stations are unavailable when the database could not be asked', () => {
    const panel = stationsPanel(normalModel({ stations: 'unavailable' }));
    assert.equal(panel.getAttribute('data-state'), 'unavailable');
    assert.equal(panel.querySelectorAll('tbody tr').length, 0);
    const empty = panel.querySelector('[data-role="empty"]');
    assert.equal(empty?.hidden, false);
  });

  it('leaves the page exactly as it was when no station is configured', () => {
    const without = renderPage(normalModel());
    assert.equal(renderPage(normalModel({ stations: [] })), without);
    assert.ok(!without.includes('id="stations"'));
    assert.notEqual(renderPage(withStations()), without);
  });
});
