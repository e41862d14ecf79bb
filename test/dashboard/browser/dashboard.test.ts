import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createContext, runInContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { formatTime } from '../../../src/dashboard/page/format.js';
import type { PageModel } from '../../../src/dashboard/page/page-model.js';
import { renderPage } from '../../../src/dashboard/page/render-page.js';
import { downWithCacheModel, normalModel, XSS, ZONE } from '../page/page-models.js';
import { parseDocument, type TinyDocument, type TinyElement } from '../page/tiny-dom.js';

/** The page's script bundled as the build bundles it (scripts/bundle.mjs), from the sources as they are. */
const SCRIPT = (() => {
  const built = buildSync({
    entryPoints: [new URL('../../../src/dashboard/browser/dashboard.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    write: false,
  });
  return (built.outputFiles[0] as { text: string }).text;
})();

type Answer = { status: number; body?: unknown } | Error;

/** Timers on a virtual clock, so a 15 s poll takes no time. */
class FakeTimers {
  private now = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { due: number; run: () => void }>();
  readonly setTimeout = (run: () => void, ms = 0): number => {
    const id = this.nextId++;
    this.pending.set(id, { due: this.now + ms, run });
    return id;
  };
  readonly clearTimeout = (id: number): void => {
    this.pending.delete(id);
  };
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      const [next] = [...this.pending].filter(([, t]) => t.due <= until).sort((a, b) => a[1].due - b[1].due);
      if (!next) break;
      const [id, timer] = next;
      this.pending.delete(id);
      this.now = timer.due;
      timer.run();
      await settle();
    }
    this.now = until;
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Renders `model`, runs the real script against it after DOMContentLoaded, answers its requests with `respond`. */
/** A stand-in for the browser's EventSource: the test opens it, fails it and sends it events. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, ((event: { data?: string }) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }
  addEventListener(type: string, listener: (event: { data?: string }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = FakeEventSource.OPEN;
    if (type === 'error' && this.readyState === FakeEventSource.OPEN)
      this.readyState = FakeEventSource.CONNECTING;
    const event = data === undefined ? {} : { data: JSON.stringify(data) };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

function runScript(model: PageModel, globals: Record<string, unknown> = {}) {
  const doc = parseDocument(renderPage(model));
  const timers = new FakeTimers();
  const requests: string[] = [];
  const harness = {
    doc,
    timers,
    requests,
    /** Every address `history.replaceState` was given, in order. */
    addresses: [] as string[],
    respond: (_url: string): Answer => ({
      status: 503,
      body: { error: { code: 'internal', message: 'no answer set' } },
    }),
  };
  const listeners = new Map<string, () => void>();
  const document = {
    readyState: 'loading',
    hidden: false,
    get body() {
      return doc.body;
    },
    getElementById: doc.getElementById,
    createElement: doc.createElement,
    addEventListener: (type: string, listener: () => void) => listeners.set(type, listener),
  };
  const fetch = async (url: string) => {
    requests.push(url);
    const answer = harness.respond(url);
    if (answer instanceof Error) throw answer;
    return {
      status: answer.status,
      json: async () => {
        if (answer.body === undefined) throw new SyntaxError('Unexpected end of JSON input');
        return answer.body;
      },
    };
  };
  const context = createContext({
    document,
    fetch,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    AbortController,
    URLSearchParams,
    history: {
      state: null,
      replaceState: (_state: unknown, _title: string, url: string) => harness.addresses.push(url),
    },
    location: { hash: '' },
    console,
    ...globals,
  });
  runInContext(SCRIPT, context, { filename: 'dashboard.js' });
  listeners.get('DOMContentLoaded')?.();
  return harness;
}

function byId(doc: TinyDocument, id: string): TinyElement {
  const element = doc.getElementById(id);
  assert.ok(element, `#${id}`);
  return element;
}

function row(doc: TinyDocument, city: string): TinyElement | undefined {
  return byId(doc, 'latest')
    .querySelectorAll('tbody tr')
    .find((tr) => tr.dataset.city === city);
}

function field(element: TinyElement, name: string): string {
  return element.querySelector(`[data-field="${name}"]`)?.text ?? '';
}

const nowIso = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const shownTime = (iso: string, precision: 'seconds' | 'minutes' = 'seconds') =>
  formatTime(iso, { timeZone: ZONE, now: new Date() }, precision);

function apiReading(city: string, overrides: Record<string, unknown> = {}) {
  const takenAt = nowIso();
  return {
    id: 50,
    city,
    temperature: 15.06,
    humidity: 80,
    takenAt,
    observedAt: takenAt,
    source: 'open-meteo',
    ageSeconds: 5,
    stale: false,
    ...overrides,
  };
}

describe("the page's script", () => {
  it('without EventSource, asks /api/latest and /api/status once per interval and updates the latest rows in place', async () => {
    const page = runScript(normalModel({ lang: 'es' }));
    const bogota = row(page.doc, 'Bogota');
    const readings = [
      apiReading('Bogota', { source: 'simulated' }),
      apiReading('Manizales', { temperature: -0.04, humidity: 99.6, ageSeconds: 200, stale: true }),
    ];
    page.respond = () => ({ status: 200, body: { readings, staleAfterSeconds: 45 } });

    await page.timers.advance(14_000);
    assert.deepEqual(page.requests, []);
    await page.timers.advance(1_000);
    assert.deepEqual(page.requests, ['/api/latest', '/api/status']);

    assert.equal(row(page.doc, 'Bogota'), bogota, 'the same row, updated in place');
    assert.ok(bogota);
    assert.equal(field(bogota, 'temperature'), '15.1 °C');
    assert.equal(field(bogota, 'humidity'), '80 %');
    assert.equal(field(bogota, 'takenAt'), shownTime(readings[0]?.takenAt as string));
    assert.equal(bogota.querySelector('time')?.getAttribute('datetime'), readings[0]?.takenAt);
    assert.equal(field(bogota, 'age'), 'hace 5 s');
    assert.equal(field(bogota, 'source'), 'simulada');
    assert.equal(bogota.querySelector('.badge-source')?.dataset.source, 'simulated');
    assert.ok(bogota.querySelector('.badge-stale')?.hidden);

    const manizales = row(page.doc, 'Manizales') as TinyElement;
    assert.equal(field(manizales, 'temperature'), '0.0 °C');
    assert.equal(field(manizales, 'humidity'), '100 %');
    assert.equal(field(manizales, 'age'), 'hace 3 min');
    assert.equal(manizales.dataset.stale, 'true');
    assert.equal(manizales.querySelector('.badge-stale')?.hidden, false);

    assert.equal(row(page.doc, 'Cali'), undefined, 'a city the API no longer lists is removed');
    await page.timers.advance(15_000);
    assert.equal(page.requests.length, 4);
  });

  it('adds a row for a city it had not shown, city names as text only', async () => {
    const page = runScript(normalModel());
    page.respond = () => ({ status: 200, body: { readings: [apiReading(XSS, { ageSeconds: 61 })] } });
    await page.timers.advance(15_000);
    const added = row(page.doc, XSS) as TinyElement;
    assert.ok(added);
    assert.equal(added.querySelector('th')?.getAttribute('scope'), 'row');
    assert.deepEqual(
      added.elements.map((cell) => [cell.dataset.field, cell.text]),
      [
        ['city', XSS],
        ['temperature', '15.1 °C'],
        ['humidity', '80 %'],
        ['takenAt', shownTime(added.querySelector('time')?.getAttribute('datetime') ?? '')],
        ['age', '1 min ago'],
        ['source', 'open-meteo'],
        ['stale', 'stale'],
      ],
    );
    assert.ok(added.querySelector('.badge-stale')?.hidden);
    assert.equal(page.doc.all.filter((element) => element.localName === 'img').length, 0);
  });

  it('fills the first readings into a page that had none', async () => {
    const model = normalModel();
    const page = runScript({ ...model, readings: undefined });
    const latest = byId(page.doc, 'latest');
    page.respond = () => ({ status: 200, body: { readings: [] } });
    await page.timers.advance(15_000);
    assert.equal(latest.dataset.state, 'empty');
    assert.equal(latest.querySelector('[data-role="empty"]')?.text, 'no readings yet');

    page.respond = () => ({ status: 200, body: { readings: [apiReading('Cali')] } });
    await page.timers.advance(15_000);
    assert.equal(latest.dataset.state, 'ok');
    assert.ok(latest.querySelector('[data-role="empty"]')?.hidden);
    assert.equal(latest.querySelector('.table-scroll')?.hidden, false);
    assert.deepEqual(
      latest.querySelectorAll('tbody tr').map((tr) => tr.dataset.city),
      ['Cali'],
    );
  });

  it('flips #db-status to down on a 503, marks the values stale, and back when the database answers', async () => {
    const page = runScript(normalModel());
    const status = byId(page.doc, 'db-status');
    const latest = byId(page.doc, 'latest');
    const note = latest.querySelector('[data-role="stale-note"]') as TinyElement;
    page.respond = () => ({
      status: 503,
      body: { error: { code: 'database_unavailable', message: 'database unavailable' } },
    });

    await page.timers.advance(15_000);
    assert.equal(status.dataset.state, 'down');
    const since = status.dataset.since as string;
    assert.equal(status.text, `database unavailable since ${shownTime(since, 'minutes')}, retrying`);
    assert.equal(latest.dataset.stale, 'true');
    assert.equal(note.hidden, false);
    assert.equal(note.text, `last known values, from ${shownTime('2024-05-14T19:29:55Z', 'minutes')}`);
    assert.equal(latest.querySelectorAll('tbody tr').length, 3, 'the last values stay');

    await page.timers.advance(15_000);
    assert.equal(status.dataset.since, since, 'the outage keeps its start');

    page.respond = () => ({ status: 200, body: { readings: [apiReading('Bogota')] } });
    await page.timers.advance(15_000);
    assert.equal(status.dataset.state, 'up');
    assert.equal(status.dataset.since, undefined);
    assert.equal(status.text, 'database connected');
    assert.equal(latest.dataset.stale, 'false');
    assert.ok(note.hidden);
  });

  it('keeps the start of an outage the server rendered, in Spanish', async () => {
    const page = runScript(downWithCacheModel({ lang: 'es' }));
    page.respond = () => ({ status: 503 });
    await page.timers.advance(15_000);
    const status = byId(page.doc, 'db-status');
    assert.equal(status.dataset.since, '2024-05-14T19:05:00.000Z');
    assert.equal(
      status.text,
      `base de datos no disponible desde ${shownTime('2024-05-14T19:05:00Z', 'minutes')}, reintentando`,
    );
  });

  it('marks the values stale without blaming the database when the dashboard cannot be reached', async () => {
    const page = runScript(normalModel());
    page.respond = () => new TypeError('Failed to fetch');
    await page.timers.advance(15_000);
    assert.equal(byId(page.doc, 'db-status').dataset.state, 'up');
    assert.equal(byId(page.doc, 'latest').dataset.stale, 'true');
  });

  it('retries live weather after 5 s, then every 30 s while unavailable and fills the panel when it answers', async () => {
    const page = runScript(normalModel({ selectedCity: XSS, weather: { state: 'unavailable' } }));
    const weather = byId(page.doc, 'weather');
    const weatherRequests = () => page.requests.filter((url) => url.startsWith('/api/weather'));
    let weatherAnswer: Answer = {
      status: 503,
      body: { error: { code: 'weather_unavailable', message: 'x' } },
    };
    page.respond = (url) =>
      url.startsWith('/api/weather') ? weatherAnswer : { status: 200, body: { readings: [] } };

    await page.timers.advance(4_000);
    assert.deepEqual(weatherRequests(), []);
    await page.timers.advance(1_000);
    assert.deepEqual(weatherRequests(), [`/api/weather?city=${encodeURIComponent(XSS)}`]);
    assert.equal(weather.dataset.state, 'unavailable');

    const observedAt = nowIso();
    weatherAnswer = {
      status: 200,
      body: { city: XSS, temperature: 12.34, humidity: 90, observedAt, source: 'open-meteo' },
    };
    await page.timers.advance(30_000);
    assert.equal(weatherRequests().length, 2);
    assert.equal(weather.dataset.state, 'ok');
    assert.ok(weather.querySelector('[data-role="weather-unavailable"]')?.hidden);
    const values = weather.querySelector('[data-role="weather-ok"]') as TinyElement;
    assert.equal(values.hidden, false);
    assert.equal(field(values, 'city'), XSS);
    assert.equal(field(values, 'temperature'), '12.3 °C');
    assert.equal(field(values, 'humidity'), '90 %');
    assert.equal(field(values, 'observedAt'), shownTime(observedAt, 'minutes'));
    assert.equal(values.querySelector('time')?.getAttribute('datetime'), observedAt);

    await page.timers.advance(120_000);
    assert.equal(weatherRequests().length, 2, 'no more retries once it answered');
  });

  it('leaves live weather alone when the page rendered it', async () => {
    const page = runScript(normalModel());
    page.respond = () => ({ status: 200, body: { readings: [] } });
    await page.timers.advance(120_000);
    assert.ok(page.requests.every((url) => url === '/api/latest' || url === '/api/status'));
  });

  describe('with /api/stream', () => {
    function runLive(model: PageModel = normalModel()) {
      FakeEventSource.instances = [];
      const page = runScript(model, { EventSource: FakeEventSource });
      const stream = FakeEventSource.instances[0];
      assert.ok(stream, 'the page opened a stream');
      assert.equal(stream.url, '/api/stream');
      return { page, stream };
    }

    it('shows a pushed reading in #latest, #recent and the freshness strip, and does not poll', async () => {
      const { page, stream } = runLive();
      stream.emit('open');
      const reading = { ...apiReading('Bogota', { id: 99, temperature: 9.96 }) };
      stream.emit('reading', reading);
      const bogota = row(page.doc, 'Bogota') as TinyElement;
      assert.equal(field(bogota, 'temperature'), '10.0 °C');
      const recent = byId(page.doc, 'recent').querySelectorAll('tbody tr');
      assert.equal(recent[0]?.dataset.id, '99', 'on top of the last readings');
      assert.equal(recent.length, 4);
      stream.emit('reading', reading);
      assert.equal(
        byId(page.doc, 'recent').querySelectorAll('tbody tr').length,
        4,
        'a replayed reading once',
      );
      const chip = byId(page.doc, 'freshness')
        .querySelectorAll('li')
        .find((li) => li.dataset.city === 'Bogota');
      assert.equal(chip?.dataset.takenAt, reading.takenAt);
      assert.equal(chip?.dataset.stale, 'false');
      await page.timers.advance(60_000);
      assert.deepEqual(page.requests, [], 'no polling while the stream is open');
    });

    it("flips the status strip on the stream's status events, with the dashboard's outage start", () => {
      const { page, stream } = runLive();
      stream.emit('open');
      stream.emit('status', {
        database: { status: 'down', since: '2024-05-14T19:05:00.000Z' },
        openMeteo: { status: 'down', callsToday: 4321 },
        outbox: { depth: 7, oldestTakenAt: null, reachable: true },
      });
      const db = byId(page.doc, 'db-status');
      assert.equal(db.dataset.state, 'down');
      assert.equal(db.dataset.since, '2024-05-14T19:05:00.000Z');
      assert.equal(byId(page.doc, 'latest').dataset.stale, 'true');
      assert.equal(byId(page.doc, 'weather-status').dataset.state, 'down');
      assert.match(byId(page.doc, 'weather-status').text, /4,321 of 10,000 calls today/);
      assert.equal(byId(page.doc, 'outbox-depth').hidden, false);
      assert.equal(byId(page.doc, 'outbox-depth').text, 'outbox: 7 waiting');
      stream.emit('status', {
        database: { status: 'up', since: '2024-05-14T19:20:00.000Z' },
        openMeteo: { status: 'up', callsToday: 4322 },
        outbox: { depth: null, oldestTakenAt: null, reachable: false },
      });
      assert.equal(db.dataset.state, 'up');
      assert.equal(byId(page.doc, 'outbox-depth').text, 'outbox: sensor not answering');
    });

    it('shows Open-Meteo as unused when a status event says nobody asked it yet', () => {
      const { page, stream } = runLive();
      stream.emit('open');
      stream.emit('status', {
        database: { status: 'up', since: '2024-05-14T19:00:00.000Z' },
        openMeteo: { status: 'unused', callsToday: 0 },
        outbox: null,
      });
      const weather = byId(page.doc, 'weather-status');
      assert.equal(weather.dataset.state, 'unused');
      assert.match(weather.text, /^Open-Meteo unused/);
    });

    it('shows why the database is down in the page language, and hides it once it is back', () => {
      const { page, stream } = runLive();
      stream.emit('open');
      const problem = byId(page.doc, 'db-status').querySelector('[data-role="problem"]') as TinyElement;
      assert.equal(problem.hidden, true);
      const openMeteo = { status: 'up', callsToday: 1 };
      stream.emit('status', {
        database: {
          status: 'down',
          since: '2024-05-14T19:05:00.000Z',
          problem: { en: 'the database refused the account', es: 'la base de datos rechazó la cuenta' },
        },
        openMeteo,
        outbox: null,
      });
      assert.equal(problem.hidden, false);
      assert.equal(problem.text, 'the database refused the account');
      stream.emit('status', {
        database: { status: 'up', since: '2024-05-14T19:06:00.000Z', problem: null },
        openMeteo,
        outbox: null,
      });
      assert.equal(problem.hidden, true);
    });

    it('shows a store that cannot keep readings in the page language, and hides it once it can', () => {
      const { page, stream } = runLive(normalModel({ lang: 'es' }));
      stream.emit('open');
      const storage = byId(page.doc, 'storage-status');
      assert.equal(storage.hidden, true);
      const status = {
        database: { status: 'up', since: '2024-05-14T19:05:00.000Z' },
        openMeteo: { status: 'up', callsToday: 1 },
        outbox: { depth: 40, oldestTakenAt: null, reachable: true },
      };
      stream.emit('status', {
        ...status,
        storage: {
          en: 'local storage full: readings are not being kept since 19:20',
          es: 'almacenamiento local lleno: las lecturas no se están guardando desde las 19:20',
        },
      });
      assert.equal(storage.hidden, false);
      assert.equal(storage.dataset.state, 'down');
      assert.equal(
        storage.text,
        'almacenamiento local lleno: las lecturas no se están guardando desde las 19:20',
      );
      stream.emit('status', { ...status, storage: null });
      assert.equal(storage.hidden, true);
    });

    it('polls while the stream is down and stops when it is back', async () => {
      const { page, stream } = runLive();
      page.respond = (url) =>
        url === '/api/latest'
          ? { status: 200, body: { readings: [], staleAfterSeconds: 45 } }
          : { status: 503 };
      stream.emit('error');
      await page.timers.advance(15_000);
      assert.ok(page.requests.includes('/api/latest'));
      stream.emit('open');
      const asked = page.requests.length;
      await page.timers.advance(60_000);
      assert.equal(page.requests.length, asked, 'no polling once the stream is open again');
    });

    it('opens a new stream after the browser gave up on it', async () => {
      const { page, stream } = runLive();
      stream.readyState = FakeEventSource.CLOSED;
      stream.emit('error');
      await page.timers.advance(4 * 15_000);
      assert.equal(FakeEventSource.instances.length, 2);
    });
  });

  describe('the page state in the address', () => {
    /** Picks `value` in a radio group as a click would, and tells the form. */
    function pick(doc: TinyDocument, name: string, value: string): void {
      const inputs = byId(doc, 'charts').querySelectorAll(`input[name="${name}"]`);
      for (const input of inputs) input.checked = input.getAttribute('value') === value;
      inputs.find((input) => input.checked)?.dispatch('change');
    }

    const langLinks = (doc: TinyDocument) =>
      doc.querySelectorAll('.lang-switch a').map((a) => a.getAttribute('href'));
    const weatherInputs = (doc: TinyDocument) =>
      byId(doc, 'weather')
        .querySelectorAll('input[type="hidden"]')
        .map((input) => `${input.getAttribute('name')}=${input.getAttribute('value')}`);

    it('writes the language, city, range and view into the address at start', () => {
      const page = runScript(normalModel({ lang: 'es', chartRange: '7d', chartView: 'compare' }));
      assert.deepEqual(page.addresses, ['?lang=es&city=Manizales&range=7d&view=compare']);
    });

    it('keeps the address, the language links and the city form on the range, view and city chosen', () => {
      const page = runScript(normalModel());
      pick(page.doc, 'chart-range', '1h');
      assert.equal(page.addresses.at(-1), '?lang=en&city=Manizales&range=1h&view=city');
      pick(page.doc, 'chart-view', 'compare');
      const select = byId(page.doc, 'chart-city');
      select.value = 'Cali';
      select.dispatch('change');
      assert.equal(page.addresses.at(-1), '?lang=en&city=Cali&range=1h&view=compare');
      assert.deepEqual(langLinks(page.doc), [
        '?lang=es&city=Cali&range=1h&view=compare',
        '?lang=en&city=Cali&range=1h&view=compare',
      ]);
      assert.deepEqual(weatherInputs(page.doc), ['lang=en', 'range=1h', 'view=compare']);
      assert.match(byId(page.doc, 'csv-link').getAttribute('href') ?? '', /^\/api\/readings\.csv\?from=/);
    });

    it("points the CSV link at one city's raw readings of the range, ending at the click", () => {
      const page = runScript(normalModel());
      pick(page.doc, 'chart-range', '7d');
      const link = byId(page.doc, 'csv-link');
      const before = Math.floor(Date.now() / 1000) * 1000;
      link.dispatch('click');
      const after = Date.now();
      const href = new URL(link.getAttribute('href') ?? '', 'http://clima.test');
      assert.equal(href.pathname, '/api/readings.csv');
      assert.deepEqual([...href.searchParams.keys()], ['city', 'from', 'to']);
      assert.equal(href.searchParams.get('city'), 'Manizales');
      const to = Date.parse(href.searchParams.get('to') ?? '');
      assert.ok(before <= to && to <= after, `to ${href.searchParams.get('to')} is the click's second`);
      assert.equal(to - Date.parse(href.searchParams.get('from') ?? ''), 7 * 86_400_000);
    });

    it('keeps a zoom of the address in it, in the language links and in the CSV link, until the controls change', () => {
      const zoom = 'from=2024-05-14T10%3A00%3A00Z&to=2024-05-14T12%3A30%3A00Z';
      const page = runScript(normalModel(), { location: { hash: '', search: `?lang=en&${zoom}` } });
      assert.deepEqual(page.addresses, [`?lang=en&city=Manizales&range=24h&view=city&${zoom}`]);
      assert.deepEqual(langLinks(page.doc), [
        `?lang=es&city=Manizales&range=24h&view=city&${zoom}`,
        `?lang=en&city=Manizales&range=24h&view=city&${zoom}`,
      ]);
      const link = byId(page.doc, 'csv-link');
      link.dispatch('click');
      assert.equal(link.getAttribute('href'), `/api/readings.csv?city=Manizales&${zoom}`);
      pick(page.doc, 'chart-range', '1h');
      assert.equal(page.addresses.at(-1), '?lang=en&city=Manizales&range=1h&view=city');
    });

    describe('with stations', () => {
      const stations = (overrides: Partial<PageModel> = {}) =>
        normalModel({
          stations: [
            { name: 'finca-1', city: 'Manizales', latest: undefined },
            { name: 'finca-2', city: 'Pereira', latest: undefined },
          ],
          configuredStations: [
            { name: 'finca-1', city: 'Manizales' },
            { name: 'finca-2', city: 'Pereira' },
          ],
          selectedStation: 'finca-1',
          ...overrides,
        });
      const chartLinks = (doc: TinyDocument) =>
        doc
          .querySelectorAll('a[data-role="station-chart"]')
          .map((a) => [a.getAttribute('href'), a.getAttribute('aria-current')]);

      it('keeps the station of the station view in the address, the language links, the city form and the chart links', () => {
        const page = runScript(stations({ chartView: 'station', selectedStation: 'finca-2' }));
        assert.deepEqual(page.addresses, ['?lang=en&city=Manizales&range=24h&view=station&station=finca-2']);
        pick(page.doc, 'chart-range', '7d');
        const select = byId(page.doc, 'chart-station');
        select.value = 'finca-1';
        select.dispatch('change');
        const address = '?lang=en&city=Manizales&range=7d&view=station&station=finca-1';
        assert.equal(page.addresses.at(-1), address);
        assert.equal(langLinks(page.doc)[0], address.replace('lang=en', 'lang=es'));
        assert.deepEqual(weatherInputs(page.doc), ['lang=en', 'range=7d', 'view=station', 'station=finca-1']);
        assert.equal(byId(page.doc, 'weather').querySelector('input[name="station"]')?.disabled, false);
        assert.deepEqual(chartLinks(page.doc), [
          [`${address}#charts`, 'true'],
          [`${address.replace('station=finca-1', 'station=finca-2')}#charts`, undefined],
        ]);
        // The JSON link follows the station and the range shown.
        const link = byId(page.doc, 'station-json-link');
        link.dispatch('click');
        const href = new URL(link.getAttribute('href') ?? '', 'http://clima.test');
        assert.equal(href.pathname, '/api/stations/finca-1/readings');
        const span =
          Date.parse(href.searchParams.get('to') ?? '') - Date.parse(href.searchParams.get('from') ?? '');
        assert.equal(span, 7 * 86_400_000);
        assert.equal(href.searchParams.get('limit'), '1000');
        assert.equal(link.hidden, false);
        assert.equal(byId(page.doc, 'csv-link').hidden, true);
      });

      it('drops the station from the address in the city view, and shows its controls again', () => {
        const page = runScript(stations({ chartView: 'station' }));
        pick(page.doc, 'chart-view', 'city');
        assert.equal(page.addresses.at(-1), '?lang=en&city=Manizales&range=24h&view=city');
        assert.equal(byId(page.doc, 'weather').querySelector('input[name="station"]')?.disabled, true);
        assert.deepEqual(
          chartLinks(page.doc).map(([, current]) => current),
          [undefined, undefined],
        );
        assert.equal(byId(page.doc, 'chart-city').parent?.hidden, false);
        assert.equal(byId(page.doc, 'chart-station').parent?.hidden, true);
        assert.equal(byId(page.doc, 'csv-link').hidden, false);
        assert.equal(byId(page.doc, 'station-json-link').hidden, true);
      });
    });

    it('asks for every city in the all-cities view', () => {
      const page = runScript(normalModel());
      pick(page.doc, 'chart-view', 'compare');
      const link = byId(page.doc, 'csv-link');
      link.dispatch('click');
      const href = new URL(link.getAttribute('href') ?? '', 'http://clima.test');
      assert.deepEqual([...href.searchParams.keys()], ['from', 'to']);
      const span =
        Date.parse(href.searchParams.get('to') ?? '') - Date.parse(href.searchParams.get('from') ?? '');
      assert.equal(span, 86_400_000);
    });
  });
});
