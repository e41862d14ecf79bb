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

const CONFIGURED = [
  { name: 'finca-1', city: 'Manizales' },
  { name: 'finca-2', city: 'Pereira' },
];

function withStations(overrides: Partial<PageModel> = {}): PageModel {
  return normalModel({
    stations: [
      { name: 'finca-1', city: 'Manizales', latest: latest(finca, 60) },
      { name: 'finca-2', city: 'Pereira', latest: undefined },
    ],
    configuredStations: CONFIGURED,
    selectedStation: 'finca-1',
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
      'chart · readings of the last day (JSON)',
    ]);
    assert.equal(first?.querySelector('.badge-source')?.getAttribute('data-source'), 'device');
    assert.equal(
      first?.querySelector('a[data-role="station-history"]')?.getAttribute('href'),
      '/api/stations/finca-1/readings',
    );
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
      'chart · readings of the last day (JSON)',
    ]);
    assert.equal(second?.querySelector('.badge-source')?.hidden, true, 'no source before a reading');
  });

  it('speaks Spanish on the Spanish page', () => {
    const panel = stationsPanel(withStations({ lang: 'es' }));
    assert.equal(panel.querySelector('h2')?.text, 'Última lectura por estación');
    const [first, second] = panel.querySelectorAll('tbody tr');
    assert.equal(first?.querySelector('.badge-source')?.text, 'estación');
    assert.equal(cells(second)[5], 'aún sin lecturas');
    assert.equal(
      first?.querySelector('a[data-role="station-history"]')?.text,
      'lecturas del último día (JSON)',
    );
    assert.equal(first?.querySelector('a[data-role="station-chart"]')?.text, 'gráfica');
    assert.equal(
      first?.querySelector('a[data-role="station-chart"]')?.getAttribute('aria-label'),
      'Gráfica de finca-1',
    );
  });

  it('escapes a station name in its text and in its link', () => {
    const html = renderPage(normalModel({ stations: [{ name: `a/${XSS}`, city: XSS, latest: undefined }] }));
    assert.ok(!html.includes(XSS), 'no markup from a station name');
    assert.ok(html.includes(XSS_ESCAPED));
    const row = stationsPanel(
      normalModel({ stations: [{ name: 'a/b c', city: 'Pereira', latest: undefined }] }),
    );
    const link = row.querySelector('a[data-role="station-history"]');
    assert.equal(link?.getAttribute('href'), '/api/stations/a%2Fb%20c/readings');
    const chart = row.querySelector('a[data-role="station-chart"]')?.getAttribute('href') ?? '';
    assert.equal(new URLSearchParams(chart.slice(1).split('#')[0]).get('station'), 'a/b c');
  });

  it("links each station's charts: this page in the station view, keeping the language and range", () => {
    const panel = stationsPanel(withStations({ lang: 'es', chartRange: '7d' }));
    const links = panel.querySelectorAll('a[data-role="station-chart"]');
    assert.deepEqual(
      links.map((a) => [a.dataset.station, a.getAttribute('href'), a.getAttribute('aria-current')]),
      [
        ['finca-1', '?lang=es&city=Manizales&range=7d&view=station&station=finca-1#charts', undefined],
        ['finca-2', '?lang=es&city=Manizales&range=7d&view=station&station=finca-2#charts', undefined],
      ],
    );
    // The station shown is marked.
    const shown = stationsPanel(withStations({ chartView: 'station', selectedStation: 'finca-2' }));
    assert.deepEqual(
      shown.querySelectorAll('a[data-role="station-chart"]').map((a) => a.getAttribute('aria-current')),
      [undefined, 'true'],
    );
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

describe("a station's charts on the page", () => {
  const charts = (model: PageModel) => {
    const section = parseDocument(renderPage(model)).getElementById('charts');
    assert.ok(section, '#charts is rendered');
    return section;
  };
  const shown = (section: TinyElement, selector: string) =>
    section.querySelectorAll(selector).filter((element) => !element.hidden);

  it("shows the station view: its picker and the two charts, and links the station's readings of the range", () => {
    const section = charts(
      withStations({ chartView: 'station', selectedStation: 'finca-2', chartRange: '1h' }),
    );
    const views = section.querySelectorAll('input[name="chart-view"]');
    assert.deepEqual(
      views.map((input) => [input.getAttribute('value'), input.hasAttribute('checked')]),
      [
        ['city', false],
        ['compare', false],
        ['station', true],
      ],
    );
    const picker = section.querySelector('select[name="chart-station"]');
    assert.deepEqual(
      picker
        ?.querySelectorAll('option')
        .map((o) => [o.getAttribute('value'), o.text, o.hasAttribute('selected')]),
      [
        ['finca-1', 'finca-1 (Manizales)', false],
        ['finca-2', 'finca-2 (Pereira)', true],
      ],
    );
    assert.equal(section.querySelector('label[for="chart-station"]')?.text, 'Station');
    // The city picker belongs to the cities' views.
    assert.equal(section.querySelector('select[name="chart-city"]')?.parent?.hidden, true);
    assert.equal(picker?.parent?.hidden, false);
    assert.deepEqual(
      shown(section, 'figure').map((figure) => figure.querySelector('.chart')?.id),
      ['chart-temperature', 'chart-humidity'],
    );
    assert.deepEqual(
      shown(section, '.chart-download a').map((a) => [a.id, a.getAttribute('href'), a.text]),
      [
        [
          'station-json-link',
          '/api/stations/finca-2/readings?from=2024-05-14T18%3A30%3A00Z&to=2024-05-14T19%3A30%3A00Z&limit=1000',
          'Readings of this range (JSON, newest 1,000)',
        ],
      ],
    );
  });

  it('keeps the station view and its picker hidden in the city view, and speaks Spanish', () => {
    const section = charts(withStations({ lang: 'es' }));
    assert.equal(section.querySelector('select[name="chart-station"]')?.parent?.hidden, true);
    assert.equal(section.querySelector('select[name="chart-city"]')?.parent?.hidden, false);
    assert.deepEqual(
      shown(section, '.chart-download a').map((a) => a.id),
      ['csv-link'],
    );
    assert.equal(
      section.querySelector('input[name="chart-view"][value="station"]')?.parent?.text.trim(),
      'Una estación',
    );
    assert.equal(section.querySelector('label[for="chart-station"]')?.text, 'Estación');
    assert.equal(
      section.querySelector('#station-json-link')?.text,
      'Lecturas de este rango (JSON, las 1.000 más recientes)',
    );
  });

  it('offers no station view without stations', () => {
    const section = charts(normalModel());
    assert.equal(section.querySelector('select[name="chart-station"]'), null);
    assert.equal(section.querySelector('input[name="chart-view"][value="station"]'), null);
    assert.equal(section.querySelector('#station-json-link'), null);
  });

  it('keeps the station in the address of the language links, and in the city form only in its view', () => {
    const doc = parseDocument(renderPage(withStations({ chartView: 'station', selectedStation: 'finca-2' })));
    assert.deepEqual(
      doc.querySelectorAll('.lang-switch a').map((a) => a.getAttribute('href')),
      [
        '?lang=es&city=Manizales&range=24h&view=station&station=finca-2',
        '?lang=en&city=Manizales&range=24h&view=station&station=finca-2',
      ],
    );
    const input = (model: PageModel) =>
      parseDocument(renderPage(model)).querySelector('#weather input[name="station"]');
    assert.equal(
      input(withStations({ chartView: 'station', selectedStation: 'finca-2' }))?.hasAttribute('disabled'),
      false,
    );
    assert.equal(
      input(withStations({ chartView: 'station', selectedStation: 'finca-2' }))?.getAttribute('value'),
      'finca-2',
    );
    assert.equal(input(withStations())?.hasAttribute('disabled'), true);
    assert.equal(input(normalModel()), null);
  });

  it('says which station is unknown and which is shown instead, in the page language, as text', () => {
    const en = parseDocument(renderPage(withStations({ chartView: 'station', unknownStation: XSS })));
    assert.equal(
      en.getElementById('page-notice')?.text,
      `There is no station “${XSS}” here; showing finca-1.`,
    );
    const es = parseDocument(
      renderPage(withStations({ lang: 'es', chartView: 'station', unknownStation: 'x'.repeat(500) })),
    );
    assert.equal(
      es.getElementById('page-notice')?.text,
      `No hay ninguna estación «${'x'.repeat(100)}…» aquí; se muestra finca-1.`,
    );
  });
});
