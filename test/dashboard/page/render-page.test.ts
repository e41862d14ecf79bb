import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageModel } from '../../../src/dashboard/page/page-model.js';
import { renderPage } from '../../../src/dashboard/page/render-page.js';
import { DEFAULT_CITIES } from '../../../src/weather/city.js';
import { downWithCacheModel, latest, NOW, normalModel, reading, XSS, XSS_ESCAPED } from './page-models.js';
import { parseDocument, type TinyDocument, type TinyElement } from './tiny-dom.js';

function render(model: PageModel): { html: string; doc: TinyDocument } {
  const html = renderPage(model);
  return { html, doc: parseDocument(html) };
}

function byId(doc: TinyDocument, id: string): TinyElement {
  const element = doc.getElementById(id);
  assert.ok(element, `#${id} is rendered`);
  return element;
}

/** The text a reader sees in `element`: hidden parts left out. */
function visibleText(element: TinyElement): string {
  const parts: string[] = [];
  const walk = (node: TinyElement) => {
    if (node.hidden) return;
    for (const child of node.children) {
      if ('data' in child) parts.push(child.data);
      else walk(child);
    }
  };
  walk(element);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

function cells(row: TinyElement): string[] {
  return row.elements.map((cell) => cell.text);
}

describe('renderPage', () => {
  describe('a healthy page in English', () => {
    const { html, doc } = render(normalModel());

    it('is one well-formed HTML5 document in the page language', () => {
      assert.match(html, /^<!doctype html>\n<html lang="en">/);
      assert.equal(doc.doctype, 'html');
      assert.equal(doc.querySelectorAll('head').length, 1);
      assert.equal(doc.querySelectorAll('body').length, 1);
      assert.equal(doc.querySelector('meta[charset]')?.getAttribute('charset'), 'utf-8');
      assert.match(
        doc.querySelector('meta[name="viewport"]')?.getAttribute('content') ?? '',
        /width=device-width/,
      );
      assert.match(doc.querySelector('title')?.text ?? '', /^clima/);
    });

    it('gives every id once', () => {
      const ids = doc.all.map((element) => element.id).filter(Boolean);
      assert.deepEqual(ids, [...new Set(ids)]);
    });

    it('has the landmarks, a skip link and a heading per panel', () => {
      for (const tag of ['header', 'nav', 'main', 'footer'])
        assert.equal(doc.querySelectorAll(tag).length, 1, tag);
      assert.equal(doc.querySelector('.skip-link')?.getAttribute('href'), '#main');
      assert.equal(doc.querySelector('h1')?.text, 'clima');
      for (const id of ['latest', 'recent', 'weather']) {
        const panel = byId(doc, id);
        const heading = doc.getElementById(panel.getAttribute('aria-labelledby') ?? '');
        assert.equal(heading?.localName, 'h2', `#${id} is labelled by its heading`);
      }
    });

    it('loads only its own scripts and stylesheets, uPlot first, each script deferred', () => {
      const scripts = doc.querySelectorAll('script');
      assert.deepEqual(
        scripts.map((script) => script.getAttribute('src')),
        ['/assets/uplot.js', '/assets/dashboard.js'],
      );
      assert.ok(scripts.every((script) => script.hasAttribute('defer')));
      assert.deepEqual(
        doc.querySelectorAll('link[rel="stylesheet"]').map((link) => link.getAttribute('href')),
        ['/assets/uplot.css', '/assets/dashboard.css'],
      );
    });

    it('tells the script the refresh interval and time zone on <body>', () => {
      assert.equal(doc.body.dataset.intervalS, '15');
      assert.equal(doc.body.dataset.timeZone, 'America/Bogota');
      assert.equal(doc.body.dataset.lang, 'en');
    });

    it('shows the database as up', () => {
      const status = byId(doc, 'db-status');
      assert.equal(status.dataset.state, 'up');
      assert.equal(status.getAttribute('role'), 'status');
      assert.equal(status.text, 'database connected');
    });

    it('switches language with links that keep the city, the range and the view', () => {
      const links = doc.querySelectorAll('nav a');
      assert.deepEqual(
        links.map((link) => [link.getAttribute('href'), link.text, link.getAttribute('aria-current')]),
        [
          ['?lang=es&city=Manizales&range=24h&view=city', 'Español', undefined],
          ['?lang=en&city=Manizales&range=24h&view=city', 'English', 'true'],
        ],
      );
      assert.match(html, /href="\?lang=es&amp;city=Manizales&amp;range=24h&amp;view=city"/);
      const compare = render(normalModel({ chartRange: '7d', chartView: 'compare' })).doc;
      assert.deepEqual(
        compare.querySelectorAll('nav a').map((link) => link.getAttribute('href')),
        ['?lang=es&city=Manizales&range=7d&view=compare', '?lang=en&city=Manizales&range=7d&view=compare'],
      );
    });

    it('names no unknown city when the address asked for none', () => {
      assert.equal(doc.getElementById('page-notice'), null);
    });

    it('lists the latest reading per city with values, local time, age, source and staleness', () => {
      const latestPanel = byId(doc, 'latest');
      assert.equal(latestPanel.dataset.state, 'ok');
      assert.equal(latestPanel.dataset.stale, 'false');
      assert.ok(latestPanel.querySelector('[data-role="stale-note"]')?.hidden);
      assert.ok(latestPanel.querySelector('[data-role="empty"]')?.hidden);
      assert.equal(latestPanel.querySelector('caption')?.text, 'The most recent reading of each city');
      assert.deepEqual(
        latestPanel.querySelectorAll('thead th').map((th) => [th.text, th.getAttribute('scope')]),
        [
          ['City', 'col'],
          ['Temperature', 'col'],
          ['Humidity', 'col'],
          ['Taken at', 'col'],
          ['Age', 'col'],
          ['Source', 'col'],
          ['Status', 'col'],
        ],
      );
      const rows = latestPanel.querySelectorAll('tbody tr');
      assert.deepEqual(
        rows.map((row) => row.dataset.city),
        ['Bogota', 'Manizales', 'Cali'],
      );
      const [bogota, manizales, cali] = rows as [TinyElement, TinyElement, TinyElement];
      assert.deepEqual(cells(bogota).slice(0, 6), [
        'Bogota',
        '14.2 °C',
        '81 %',
        '14:28:00',
        '2 min ago',
        'open-meteo',
      ]);
      assert.equal(bogota.querySelector('th')?.getAttribute('scope'), 'row');
      assert.equal(bogota.querySelector('time')?.getAttribute('datetime'), '2024-05-14T19:28:00Z');
      assert.equal(manizales.querySelector('[data-source]')?.dataset.source, 'simulated');
      assert.equal(manizales.querySelector('[data-field="source"]')?.text, 'simulated');
      assert.deepEqual(cells(cali).slice(3, 5), ['2024-05-13 23:00:00', '15 h ago']);
      assert.equal(bogota.dataset.stale, 'false');
      assert.ok(bogota.querySelector('.badge-stale')?.hidden);
      assert.equal(cali.dataset.stale, 'true');
      assert.equal(cali.querySelector('.badge-stale')?.hidden, false);
      assert.equal(visibleText(cali.querySelector('[data-field="stale"]') as TinyElement), 'stale');
    });

    it('tells the script when its readings were fetched', () => {
      assert.equal(byId(doc, 'latest').dataset.fetchedAt, '2024-05-14T19:29:55.000Z');
    });

    it('lists the last readings newest first with id, city, values, time and source', () => {
      const recent = byId(doc, 'recent');
      assert.equal(recent.dataset.state, 'ok');
      assert.deepEqual(
        recent.querySelectorAll('thead th').map((th) => th.text),
        ['ID', 'City', 'Temperature', 'Humidity', 'Taken at', 'Source'],
      );
      assert.deepEqual(recent.querySelectorAll('tbody tr').map(cells), [
        ['42', 'Manizales', '16.4 °C', '63 %', '14:28:00', 'simulated'],
        ['41', 'Bogota', '14.2 °C', '81 %', '14:28:00', 'open-meteo'],
        ['7', 'Cali', '24.0 °C', '70 %', '2024-05-13 23:00:00', 'open-meteo'],
      ]);
    });

    it('shows live weather for the selected city and a form that works without JavaScript', () => {
      const weather = byId(doc, 'weather');
      assert.equal(weather.dataset.state, 'ok');
      assert.equal(weather.dataset.city, 'Manizales');
      assert.equal(weather.dataset.retryS, '30');
      assert.equal(
        visibleText(weather.querySelector('.weather-body') as TinyElement),
        'Manizales Temperature 17.1 °C Humidity 77 % Observed at 14:15 Straight from Open-Meteo, not stored.',
      );
      const form = weather.querySelector('form') as TinyElement;
      assert.equal(form.getAttribute('method'), 'get');
      assert.deepEqual(
        form
          .querySelectorAll('input[type="hidden"]')
          .map((input) => [input.getAttribute('name'), input.getAttribute('value')]),
        [
          ['lang', 'en'],
          ['range', '24h'],
          ['view', 'city'],
        ],
        'choosing a city keeps the language and the charts as they are',
      );
      const select = form.querySelector('select') as TinyElement;
      assert.equal(select.getAttribute('name'), 'city');
      assert.equal(form.querySelector(`label[for="${select.id}"]`)?.text, 'City');
      assert.deepEqual(
        select.querySelectorAll('option').map((option) => option.getAttribute('value')),
        DEFAULT_CITIES.map((city) => city.name),
      );
      assert.deepEqual(
        select.querySelectorAll('option[selected]').map((option) => option.text),
        ['Manizales'],
      );
      assert.equal(form.querySelector('button')?.getAttribute('type'), 'submit');
    });

    it('states the refresh interval and time zone in the footer', () => {
      assert.equal(doc.querySelector('footer')?.text, 'Refreshes every 15 s · Times in America/Bogota');
    });

    it('has no inline script, no inline style, no event handler attribute and no other host', () => {
      for (const script of doc.querySelectorAll('script')) {
        assert.ok(script.getAttribute('src'), 'every script has a src');
        assert.equal(script.textContent, '', 'and no content');
      }
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/);
      assert.doesNotMatch(html, /\sstyle\s*=/i);
      assert.doesNotMatch(html, /<style/i);
      assert.ok(
        doc.all.every((element) => [...element.attributes.keys()].every((name) => !name.startsWith('on'))),
      );
      assert.doesNotMatch(html, /https?:|\/\//);
    });
  });

  describe('a healthy page in Spanish', () => {
    const { doc } = render(normalModel({ lang: 'es' }));

    it('speaks Spanish throughout', () => {
      assert.equal(doc.documentElement.getAttribute('lang'), 'es');
      assert.equal(byId(doc, 'db-status').text, 'base de datos conectada');
      assert.equal(byId(doc, 'latest-title').text, 'Última lectura por ciudad');
      assert.equal(byId(doc, 'recent-title').text, 'Últimas 15 lecturas');
      assert.equal(byId(doc, 'weather-title').text, 'Clima en vivo');
      const manizales = byId(doc, 'latest').querySelector('tr[data-city="Manizales"]') as TinyElement;
      assert.deepEqual(cells(manizales).slice(0, 6), [
        'Manizales',
        '16.4 °C',
        '63 %',
        '14:28:00',
        'hace 2 min',
        'simulada',
      ]);
      assert.equal(byId(doc, 'weather').querySelector('input[name="lang"]')?.getAttribute('value'), 'es');
      assert.equal(doc.querySelector('nav a[aria-current="true"]')?.text, 'Español');
      assert.equal(doc.querySelector('footer')?.text, 'Se actualiza cada 15 s · Horas en America/Bogota');
    });
  });

  describe('with the database down and values cached', () => {
    it('says since when the database is unavailable, in the page time zone, and that it retries', () => {
      const en = render(downWithCacheModel()).doc;
      assert.equal(byId(en, 'db-status').dataset.state, 'down');
      assert.equal(byId(en, 'db-status').dataset.since, '2024-05-14T19:05:00.000Z');
      assert.equal(byId(en, 'db-status').text, 'database unavailable since 14:05, retrying');
      const es = render(downWithCacheModel({ lang: 'es' })).doc;
      assert.equal(byId(es, 'db-status').text, 'base de datos no disponible desde 14:05, reintentando');
    });

    it('says why, in a sentence of the page language, when the dashboard knows', () => {
      const database = {
        state: 'down',
        since: new Date('2024-05-14T19:05:00Z'),
        problem: 'access-denied',
      } as const;
      const problem = (doc: TinyDocument) =>
        byId(doc, 'db-status').querySelector('[data-role="problem"]') as TinyElement;
      const en = problem(render(downWithCacheModel({ database })).doc);
      assert.equal(en.hidden, false);
      assert.equal(en.text, 'the database refused the account');
      const es = problem(render(downWithCacheModel({ lang: 'es', database })).doc);
      assert.equal(es.text, 'la base de datos rechazó la cuenta');
      assert.equal(problem(render(downWithCacheModel()).doc).hidden, true, 'nothing when it does not');
    });

    it('dates the outage when it began on another day', () => {
      const { doc } = render(
        downWithCacheModel({ database: { state: 'down', since: new Date('2024-05-13T12:00:00Z') } }),
      );
      assert.equal(byId(doc, 'db-status').text, 'database unavailable since 2024-05-13 07:00, retrying');
    });

    it('marks both reading panels as the last known values, and every row stale', () => {
      const { doc } = render(downWithCacheModel());
      for (const id of ['latest', 'recent']) {
        const panel = byId(doc, id);
        assert.equal(panel.dataset.stale, 'true');
        assert.equal(panel.dataset.state, 'ok');
        const note = panel.querySelector('[data-role="stale-note"]') as TinyElement;
        assert.equal(note.hidden, false);
        assert.equal(note.text, 'last known values, from 14:06');
      }
      const rows = byId(doc, 'latest').querySelectorAll('tbody tr');
      assert.equal(rows.length, 3);
      assert.ok(
        rows.every((row) => row.dataset.stale === 'true' && !row.querySelector('.badge-stale')?.hidden),
      );
      const es = render(downWithCacheModel({ lang: 'es' })).doc;
      assert.equal(
        byId(es, 'latest').querySelector('[data-role="stale-note"]')?.text,
        'últimos valores conocidos, de las 14:06',
      );
    });

    it('keeps the live weather panel working', () => {
      const { doc } = render(downWithCacheModel());
      assert.equal(byId(doc, 'weather').dataset.state, 'ok');
    });
  });

  describe('with the database down and nothing cached', () => {
    const { doc } = render(downWithCacheModel({ readings: undefined }));

    it('shows a clear unavailable state instead of empty tables', () => {
      assert.equal(byId(doc, 'db-status').text, 'database unavailable since 14:05, retrying');
      for (const id of ['latest', 'recent']) {
        const panel = byId(doc, id);
        assert.equal(panel.dataset.state, 'unavailable');
        assert.equal(panel.dataset.stale, 'false');
        assert.equal(panel.dataset.fetchedAt, undefined);
        assert.equal(
          visibleText(panel),
          `${panel.querySelector('h2')?.text} readings unavailable: nothing has come from the database yet`,
        );
        assert.ok(panel.querySelector('.table-scroll')?.hidden);
        assert.equal(panel.querySelectorAll('tbody tr').length, 0);
      }
    });
  });

  describe('with no readings yet', () => {
    it('says so in each reading panel', () => {
      const model = normalModel();
      const { doc } = render({
        ...model,
        readings: { latest: [], recent: [], fromCache: false, fetchedAt: NOW },
      });
      for (const id of ['latest', 'recent']) {
        const panel = byId(doc, id);
        assert.equal(panel.dataset.state, 'empty');
        assert.equal(panel.querySelector('[data-role="empty"]')?.hidden, false);
        assert.equal(panel.querySelector('[data-role="empty"]')?.text, 'no readings yet');
        assert.ok(panel.querySelector('.table-scroll')?.hidden);
      }
      const es = render({
        ...model,
        lang: 'es',
        readings: { latest: [], recent: [], fromCache: false, fetchedAt: NOW },
      });
      assert.equal(byId(es.doc, 'latest').querySelector('[data-role="empty"]')?.text, 'aún no hay lecturas');
    });
  });

  describe('with live weather unavailable', () => {
    it('says so, in a panel the script can find and retry, with the city form still there', () => {
      const { doc } = render(normalModel({ weather: { state: 'unavailable' } }));
      const weather = byId(doc, 'weather');
      assert.equal(weather.dataset.state, 'unavailable');
      assert.equal(weather.dataset.city, 'Manizales');
      assert.equal(
        visibleText(weather.querySelector('.weather-body') as TinyElement),
        'weather unavailable right now',
      );
      assert.ok(weather.querySelector('[data-role="weather-ok"]')?.hidden);
      assert.equal(weather.querySelector('time'), null, 'no <time> without a valid datetime');
      assert.ok(weather.querySelector('form select'));
      const es = render(normalModel({ lang: 'es', weather: { state: 'unavailable' } })).doc;
      assert.equal(
        visibleText(byId(es, 'weather').querySelector('.weather-body') as TinyElement),
        'clima en vivo no disponible por ahora',
      );
    });
  });

  describe('with hostile text from the database or the weather API', () => {
    const evil = reading(99, XSS, '2024-05-14T19:29:00Z');
    const model = normalModel({
      cities: [...DEFAULT_CITIES, { name: XSS, latitude: 0, longitude: 0 }],
      selectedCity: XSS,
      readings: { latest: [latest(evil, 60)], recent: [evil], fromCache: false, fetchedAt: NOW },
      weather: {
        state: 'ok',
        observation: { city: XSS, temperature: 1, humidity: 2, observedAt: `"><script>alert(2)</script>` },
      },
    });
    const { html, doc } = render(model);

    it('never lets the raw tag through', () => {
      assert.ok(!html.includes('<img'));
      assert.ok(!html.includes('<script>'));
      assert.equal(doc.querySelectorAll('img').length, 0);
      assert.equal(doc.querySelectorAll('script').length, 2);
    });

    it('shows it as visible text in latest, recent, the city list and live weather', () => {
      assert.equal(byId(doc, 'latest').querySelector('tbody th')?.text, XSS);
      assert.equal(byId(doc, 'latest').querySelector('tbody tr')?.dataset.city, XSS);
      assert.equal(byId(doc, 'recent').querySelectorAll('tbody td')[0]?.text, XSS);
      assert.equal(byId(doc, 'weather').querySelector('option[selected]')?.text, XSS);
      assert.equal(byId(doc, 'weather').querySelector('option[selected]')?.getAttribute('value'), XSS);
      assert.equal(byId(doc, 'weather').dataset.city, XSS);
      assert.equal(byId(doc, 'weather').querySelector('[data-field="city"]')?.text, XSS);
      assert.ok(html.split(XSS_ESCAPED).length - 1 >= 7, 'escaped wherever it appears');
    });

    it('encodes it in the language links', () => {
      const href = doc.querySelector('nav a')?.getAttribute('href') ?? '';
      assert.equal(new URLSearchParams(href.slice(1)).get('city'), XSS);
      assert.doesNotMatch(href, /[<>"' ]/);
    });
  });
});

/** An outbox draining into the cloud, all stores keeping readings. */
function cloudOutbox(depth: number, oldestTakenAt?: Date): NonNullable<PageModel['outbox']> {
  return { depth, oldestTakenAt, embedded: false, failures: [] };
}

describe('the outbox notice', () => {
  it('says how many readings wait for the cloud and since when, in the page language', () => {
    const oldestTakenAt = new Date(NOW.getTime() - 30 * 60_000);
    const en = renderPage(normalModel({ outbox: cloudOutbox(1234, oldestTakenAt) }));
    assert.match(
      en,
      /id="outbox-status"[^>]*data-depth="1234"[^>]*>1234 readings waiting to reach the cloud \(oldest \d\d:\d\d\)</,
    );
    const es = renderPage(normalModel({ lang: 'es', outbox: cloudOutbox(5, oldestTakenAt) }));
    assert.match(es, />5 lecturas esperando llegar a la nube/);
  });

  it('never speaks of a cloud when the outbox drains into the embedded database', () => {
    const outbox = { ...cloudOutbox(40, new Date(NOW.getTime() - 60_000)), embedded: true };
    const en = renderPage(normalModel({ outbox }));
    assert.match(en, />40 readings waiting to be stored in the local database \(oldest \d\d:\d\d\)</);
    const es = renderPage(normalModel({ lang: 'es', outbox }));
    assert.match(es, />40 lecturas esperando guardarse en la base de datos local/);
    for (const page of [en, es]) assert.doesNotMatch(page, /cloud|nube/i);
  });

  it('says nothing when the outbox is empty or not in this process', () => {
    assert.doesNotMatch(renderPage(normalModel({ outbox: cloudOutbox(0) })), /outbox-status/);
    assert.doesNotMatch(renderPage(normalModel()), /outbox-status/);
  });
});

describe('the status strip', () => {
  it('shows the database, Open-Meteo with its calls against the daily budget, freshness per city and the sources', () => {
    const { doc } = render(normalModel());
    const weather = byId(doc, 'weather-status');
    assert.equal(weather.dataset.state, 'up');
    assert.equal(visibleText(weather), 'Open-Meteo up · 1,234 of 10,000 calls today');
    const chips = byId(doc, 'freshness').querySelectorAll('li');
    assert.deepEqual(
      chips.map((chip) => chip.dataset.city),
      DEFAULT_CITIES.map((city) => city.name),
    );
    const bogota = chips.find((chip) => chip.dataset.city === 'Bogota') as TinyElement;
    assert.equal(visibleText(bogota), 'Bogota 2 min ago');
    assert.equal(bogota.dataset.takenAt, '2024-05-14T19:28:00Z');
    const cali = chips.find((chip) => chip.dataset.city === 'Cali') as TinyElement;
    assert.equal(visibleText(cali), 'Cali 15 h ago stale');
    const medellin = chips.find((chip) => chip.dataset.city === 'Medellin') as TinyElement;
    assert.equal(visibleText(medellin), 'Medellin — stale', 'a city without readings is stale');
    assert.deepEqual(
      byId(doc, 'source-status')
        .querySelectorAll('.badge-source')
        .map((badge) => badge.dataset.source),
      ['open-meteo', 'simulated'],
    );
    assert.equal(byId(doc, 'outbox-depth').hidden, true, 'no outbox in this process');
  });

  it('says Open-Meteo is down, and the outbox depth when there is one, in Spanish', () => {
    const { doc } = render(
      normalModel({
        lang: 'es',
        openMeteo: { status: 'down', callsToday: 9876 },
        outbox: cloudOutbox(12),
      }),
    );
    const weather = byId(doc, 'weather-status');
    assert.equal(weather.dataset.state, 'down');
    assert.equal(visibleText(weather), 'Open-Meteo no disponible · 9876 de 10.000 llamadas hoy');
    assert.equal(visibleText(byId(doc, 'outbox-depth')), 'bandeja de salida: 12 en espera');
    assert.equal(byId(doc, 'storage-status').hidden, true, 'every store keeps readings');
  });

  it('turns red when a store cannot keep readings, naming it and since when, in both languages', () => {
    const since = new Date(NOW.getTime() - 10 * 60_000);
    const full = (store: 'outbox' | 'database') => ({
      ...cloudOutbox(40),
      embedded: true,
      failures: [{ store, problem: 'storage-full' as const, since }],
    });
    const en = byId(render(normalModel({ outbox: full('outbox') })).doc, 'storage-status');
    assert.equal(en.hidden, false);
    assert.equal(en.dataset.state, 'down');
    assert.equal(en.dataset.store, 'outbox');
    assert.match(visibleText(en), /^local storage full: readings are not being kept since \d\d:\d\d$/);
    const es = byId(render(normalModel({ lang: 'es', outbox: full('outbox') })).doc, 'storage-status');
    assert.match(
      visibleText(es),
      /^almacenamiento local lleno: las lecturas no se están guardando desde las \d\d:\d\d$/,
    );
    const database = byId(render(normalModel({ outbox: full('database') })).doc, 'storage-status');
    assert.match(visibleText(database), /^database full since \d\d:\d\d: readings wait in the outbox$/);
  });
});

describe('the charts panel', () => {
  const { doc } = render(normalModel());

  it('has labelled controls for the city, the range and the view, the range 24 h to start', () => {
    const charts = byId(doc, 'charts');
    const select = byId(doc, 'chart-city');
    assert.equal(doc.querySelector('label[for="chart-city"]')?.text, 'City');
    assert.equal(select.querySelector('option[selected]')?.getAttribute('value'), 'Manizales');
    const ranges = charts.querySelectorAll('input[name="chart-range"]');
    assert.deepEqual(
      ranges.map((input) => [input.getAttribute('value'), input.dataset.seconds]),
      [
        ['1h', '3600'],
        ['24h', '86400'],
        ['7d', '604800'],
        ['30d', '2592000'],
      ],
    );
    assert.equal(ranges.find((input) => input.hasAttribute('checked'))?.getAttribute('value'), '24h');
    assert.equal(charts.querySelectorAll('fieldset legend').length, 2);
  });

  it('links the CSV of the raw readings of the range shown, up to the time of the page', () => {
    assert.equal(
      byId(doc, 'csv-link').getAttribute('href'),
      '/api/readings.csv?city=Manizales&from=2024-05-13T19%3A30%3A00Z&to=2024-05-14T19%3A30%3A00Z',
    );
  });

  it('shows the range and the view the address asked for, and the CSV of every city in the all-cities view', () => {
    const compare = render(normalModel({ chartRange: '7d', chartView: 'compare' })).doc;
    const checked = (name: string) =>
      compare
        .querySelectorAll(`input[name="${name}"]`)
        .filter((input) => input.hasAttribute('checked'))
        .map((input) => input.getAttribute('value'));
    assert.deepEqual(checked('chart-range'), ['7d']);
    assert.deepEqual(checked('chart-view'), ['compare']);
    assert.deepEqual(
      compare.querySelectorAll('figure').map((figure) => [figure.dataset.view, figure.hidden]),
      [
        ['city station', true],
        ['city station', true],
        ['compare', false],
      ],
    );
    assert.equal(
      byId(compare, 'csv-link').getAttribute('href'),
      '/api/readings.csv?from=2024-05-07T19%3A30%3A00Z&to=2024-05-14T19%3A30%3A00Z',
    );
    assert.deepEqual(
      doc.querySelectorAll('figure').map((figure) => figure.hidden),
      [false, false, true],
      'one city: its two charts',
    );
  });
});

describe('the unknown-city notice', () => {
  it('says which city is unknown and which is shown instead, in the page language, as text', () => {
    const en = render(normalModel({ selectedCity: 'Bogota', unknownCity: XSS })).doc;
    assert.equal(byId(en, 'page-notice').text, `There is no city “${XSS}” here; showing Bogota.`);
    assert.equal(byId(en, 'page-notice').getAttribute('role'), 'status');
    assert.equal(en.querySelectorAll('img').length, 0);
    const es = render(normalModel({ lang: 'es', selectedCity: 'Bogota', unknownCity: 'Atlantis' })).doc;
    assert.equal(byId(es, 'page-notice').text, 'No hay ninguna ciudad «Atlantis» aquí; se muestra Bogota.');
  });

  it('repeats at most 100 characters of the name', () => {
    const doc = render(normalModel({ unknownCity: 'x'.repeat(5000) })).doc;
    assert.equal(
      byId(doc, 'page-notice').text,
      `There is no city “${'x'.repeat(100)}…” here; showing Manizales.`,
    );
  });
});
