// The charts of `#charts`, drawn with uPlot (served by the dashboard at /assets/uplot.js, loaded
// before this script). Data comes from /api/readings?points= (a city's, or every city's) and
// /api/stations/:name/readings?points= (a station's), bucketed, at most 2000 points a series; new
// readings from the stream are appended through `addReading`. Every string from the
// API reaches the page through uPlot's text rendering or textContent, never as markup.
import type uPlot from 'uplot';
import { fill } from '../page/messages.js';
import type { PageReading } from './api-types.js';
import { axisStyleOfPage, cssVar, timeTickLabels, valueScale } from './chart-axes.js';
import {
  type BucketsAnswer,
  type ChartSubject,
  fetchBuckets,
  fetchBucketsOfEvery,
  hasOlderReadings,
} from './chart-readings.js';
import { collectingSince, columns, latestIndexes, type Table, timeRange } from './chart-scales.js';
import { bucketTooltip } from './chart-tooltip.js';
import { chosenView, showView } from './chart-view.js';
import { humidityText, type PageText, temperatureText } from './page-text.js';

const MAX_POINTS = 2000;
const MIN_POINTS = 200;
const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

export interface ChartsHandle {
  addReading(reading: PageReading): void;
  reload(): void;
}

/** A span of the chosen range dragged across, in seconds: drawn on its own, in finer buckets. */
export interface Zoom {
  readonly fromS: number;
  readonly toS: number;
}

export interface ChartsOptions {
  /** The span to show first (the page's address keeps it across a reload). */
  readonly zoom?: Zoom | undefined;
  /** Told of every zoom, and of its reset (undefined). */
  readonly onZoom?: (zoom: Zoom | undefined) => void;
}

/** A drag narrower than this, in CSS pixels, is a click. */
const MIN_DRAG_PX = 4;

type Shown = { rangeS: number; since?: number | undefined; zoom?: Zoom | undefined } & (
  | { view: 'compare'; cities: string[]; tables: Table[] }
  /** A city's or a station's: `temperature` and `humidity` are `[xs, min, max, average, count]`, as the buckets said. */
  | { view: 'city' | 'station'; subject: ChartSubject; temperature: Table; humidity: Table; banded: boolean }
);

/** The fields of a bucket a city's (or a station's) chart keeps, in its table's order. */
const CITY_FIELDS = {
  temperature: ['temperatureMin', 'temperatureMax', 'temperatureAvg', 'count'],
  humidity: ['humidityMin', 'humidityMax', 'humidityAvg', 'count'],
} as const;

type Box = 'temperature' | 'humidity' | 'compare';

/**
 * Draws the charts, with the page's words and clock (its time zone, `HH:MM`, with the date when
 * not today), shared with the tables, for the legend and the notes. `undefined` when uPlot or the
 * charts' section is missing: the rest of the page works without them.
 */
export function startCharts(text: PageText, options: ChartsOptions = {}): ChartsHandle | undefined {
  const UPlot = (globalThis as { uPlot?: typeof uPlot }).uPlot;
  if (typeof UPlot !== 'function') return undefined;
  const found = document.getElementById('charts');
  const form = found?.querySelector<HTMLFormElement>('.chart-controls');
  const foundNote = found?.querySelector<HTMLElement>('[data-role="chart-note"]');
  if (!found || !form || !foundNote) return undefined;
  const section: HTMLElement = found;
  const note: HTMLElement = foundNote;
  const zoomBar = section.querySelector<HTMLElement>('[data-role="chart-zoom"]');
  const resetZoom = section.querySelector<HTMLButtonElement>('[data-role="reset-zoom"]');
  const messages = text.messages;
  const formatTime = (ms: number) => text.time(ms, 'minutes');
  const timeZone = document.body.dataset.timeZone || undefined;
  const timeTicks = timeTickLabels(text.lang, timeZone);
  const intervalS = Number(document.body.dataset.intervalS) || 15;
  const boxes = {
    temperature: document.getElementById('chart-temperature') as HTMLElement,
    humidity: document.getElementById('chart-humidity') as HTMLElement,
    compare: document.getElementById('chart-compare') as HTMLElement,
  };
  const citySelect = form.elements.namedItem('chart-city') as HTMLSelectElement;
  const stationSelect = form.elements.namedItem('chart-station') as HTMLSelectElement | null;
  const cities = Array.from(citySelect.options, (option) => option.value);
  const charts: Partial<Record<Box, uPlot>> = {};
  let current: Shown | undefined;
  let zoom = options.zoom;
  let generation = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const choice = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
  const settings = () => {
    const view = chosenView(form);
    const station = view === 'station' ? stationSelect?.value : undefined;
    return {
      // The station view without a station to show (none configured) is the city's.
      view: view === 'station' && !station ? ('city' as const) : view,
      subject: station
        ? { kind: 'station' as const, name: station }
        : { kind: 'city' as const, name: citySelect.value },
      rangeS: Number(choice('chart-range')?.dataset.seconds ?? 86400),
    };
  };

  function setState(state: 'loading' | 'empty' | 'failed' | 'ok', since?: number): void {
    section.dataset.state = state;
    const shown = {
      loading: messages.chartsLoading,
      empty: messages.chartsEmpty,
      failed: messages.chartsFailed,
      ok: since === undefined ? '' : fill(messages.chartsCollecting, { time: formatTime(since * 1000) }),
    }[state];
    note.textContent = shown;
    note.hidden = !shown;
  }

  const pointsFor = (box: HTMLElement) =>
    Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.round(box.clientWidth || 800)));
  const chartHeight = () => (window.innerWidth < 600 ? 180 : 240);

  /** While nothing is hovered, the legend shows the newest values instead of blanks. */
  function showLatestWhenIdle(u: uPlot): void {
    if (u.legend.idx == null && (u.data[0]?.length ?? 0) > 0) {
      u.setLegend({ idxs: latestIndexes(u.data as (number | null)[][]) }, false);
    }
  }

  /** A drag across the plot: the span under it, asked for again in buckets that fit it. */
  function zoomToSelection(u: uPlot): void {
    const { left, width } = u.select;
    if (width < MIN_DRAG_PX) return;
    const fromS = Math.floor(u.posToVal(left, 'x'));
    const toS = Math.ceil(u.posToVal(left + width, 'x'));
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (!(toS > fromS)) return;
    zoom = { fromS, toS };
    options.onZoom?.(zoom);
    load();
  }

  function makeChart(
    box: HTMLElement,
    series: uPlot.Series[],
    data: uPlot.AlignedData,
    bands?: uPlot.Band[],
    plugins: uPlot.Plugin[] = [],
  ) {
    const Chart = UPlot as typeof uPlot;
    box.textContent = '';
    const axisStyle = axisStyleOfPage();
    const values = valueScale(box, axisStyle, chartHeight);
    return new Chart(
      {
        width: box.clientWidth || 600,
        height: chartHeight(),
        tzDate: (ts) => Chart.tzDate(new Date(ts * 1000), timeZone || 'UTC'),
        series: [
          { label: messages.seriesTime, value: (_u, t) => (t == null ? '—' : formatTime(t * 1000)) },
          ...series.map((s) => ({ value: values.value, ...s })),
        ],
        bands: bands ?? [],
        axes: [{ ...axisStyle, values: timeTicks }, values.axis],
        // uPlot does not zoom by itself: the drag is asked for again at a finer resolution.
        cursor: { focus: { prox: 16 }, drag: { x: true, y: false, setScale: false } },
        plugins,
        legend: { live: true },
        scales: {
          x: { time: true, range: (_u, _min, max) => xRange(max) },
          y: values.scale,
        },
        hooks: { setLegend: [showLatestWhenIdle], setSelect: [zoomToSelection] },
      },
      data,
      box,
    );
  }

  function xRange(dataMax: number): uPlot.Range.MinMax {
    if (current?.zoom) return [current.zoom.fromS, current.zoom.toS];
    const rangeS = current ? current.rangeS : settings().rangeS;
    return timeRange(Date.now() / 1000, dataMax, rangeS, current?.since, 10 * intervalS);
  }

  /** Only the averages when every bucket holds one reading: it has no spread to show. */
  const shown = (table: Table, banded: boolean): Table =>
    banded ? [table[0], table[1] ?? [], table[2] ?? [], table[3] ?? []] : [table[0], table[3] ?? []];

  /** The bucket at `idx` of a city's or a station's table: its min, max, average and how many readings it holds. */
  const bucketDetail = (quantity: 'temperature' | 'humidity', idx: number) => {
    if (current === undefined || current.view === 'compare') return undefined;
    const [xs, min, max, average, count] = current[quantity];
    const x = xs[idx];
    const readings = count?.[idx];
    if (x === undefined || readings == null) return undefined;
    const format = quantity === 'temperature' ? temperatureText : humidityText;
    return {
      at: new Date(x * 1000),
      time: formatTime(x * 1000),
      rows: [
        [messages.seriesMin, format(min?.[idx])],
        [messages.seriesMax, format(max?.[idx])],
        [messages.seriesAverage, format(average?.[idx])],
        [messages.seriesCount, String(readings)],
      ] as const,
    };
  };

  /** A series of averages, with its min-max band when buckets merge several readings. */
  function cityChart(
    quantity: 'temperature' | 'humidity',
    table: Table,
    color: string,
    banded: boolean,
  ): uPlot {
    const box = boxes[quantity];
    const tooltip = [bucketTooltip((idx) => bucketDetail(quantity, idx))];
    const average = { label: messages.seriesAverage, stroke: color, width: 2 };
    if (!banded) return makeChart(box, [average], shown(table, false), [], tooltip);
    const edge = { stroke: `${color}66`, width: 1 };
    const series = [{ label: messages.seriesMin, ...edge }, { label: messages.seriesMax, ...edge }, average];
    return makeChart(box, series, shown(table, true), [{ series: [2, 1], fill: `${color}33` }], tooltip);
  }

  function destroyAll(): void {
    for (const key of Object.keys(charts) as Box[]) {
      charts[key]?.destroy();
      delete charts[key];
    }
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    clearTimeout(retryTimer);
    const { subject, rangeS, view } = settings();
    showView(section, view);
    setState('loading');
    const zoomed = zoom;
    if (zoomBar) zoomBar.hidden = false;
    if (resetZoom) resetZoom.hidden = !zoomed;
    const toMs = zoomed ? zoomed.toS * 1000 : Math.floor(Date.now() / 1000) * 1000;
    const fromMs = zoomed ? zoomed.fromS * 1000 : toMs - rangeS * 1000;
    const box = view === 'compare' ? boxes.compare : boxes.temperature;
    const points = pointsFor(box);
    try {
      const targets: ChartSubject[] =
        view === 'compare' ? cities.map((name) => ({ kind: 'city', name })) : [subject];
      // The all-cities view is one request, however many cities.
      const fetchAll = (startMs: number) =>
        view === 'compare'
          ? fetchBucketsOfEvery(cities, startMs, toMs, points)
          : Promise.all([fetchBuckets(subject, startMs, toMs, points)]);
      const gapS = (body: BucketsAnswer) => Math.max(body.bucketSeconds, intervalS);
      const firstS = (answers: readonly { body: BucketsAnswer }[]) =>
        Math.min(
          ...answers.map(({ body }) =>
            body.buckets[0] ? Date.parse(body.buckets[0].bucketStart) / 1000 : Number.POSITIVE_INFINITY,
          ),
        );
      let answers = await fetchAll(fromMs);
      const first = answers[0] as (typeof answers)[number];
      // A zoom shows the span dragged across as it is, empty start included.
      let since = zoomed ? undefined : collectingSince(firstS(answers), fromMs / 1000, 3 * gapS(first.body));
      if (since !== undefined && (await hasOlderReadings(targets, fromMs))) since = undefined;
      if (since !== undefined) {
        // Asked again over the span that holds data, in buckets as fine as the chart can show.
        answers = await fetchAll(since * 1000);
        since = Number.isFinite(firstS(answers)) ? firstS(answers) : undefined;
      }
      if (mine !== generation) return;
      destroyAll();
      let total = 0;
      if (view === 'compare') {
        const tables = answers.map(({ body }) => columns(body.buckets, ['temperatureAvg'], gapS(body)));
        total = tables.reduce((sum, table) => sum + table[0].length, 0);
        current = { view, rangeS, since, zoom: zoomed, cities, tables };
        charts.compare = makeChart(
          boxes.compare,
          cities.map((name, i) => ({ label: name, stroke: PALETTE[i % PALETTE.length], width: 2 })),
          (UPlot as typeof uPlot).join(tables as uPlot.AlignedData[]),
        );
      } else {
        const { body } = answers[0] as (typeof answers)[number];
        // One reading a bucket has no spread to show: the band appears only when buckets merge readings.
        const banded = body.buckets.some((bucket) => bucket.count > 1);
        const temperature = columns(body.buckets, CITY_FIELDS.temperature, gapS(body));
        const humidity = columns(body.buckets, CITY_FIELDS.humidity, gapS(body));
        total = temperature[0].length;
        current = { view, subject, rangeS, since, zoom: zoomed, temperature, humidity, banded };
        charts.temperature = cityChart(
          'temperature',
          temperature,
          cssVar('--chart-temperature', '#c2410c'),
          banded,
        );
        charts.humidity = cityChart('humidity', humidity, cssVar('--chart-humidity', '#0b5cad'), banded);
      }
      setState(total > 0 ? 'ok' : 'empty', since);
    } catch {
      if (mine !== generation) return;
      setState('failed');
      retryTimer = setTimeout(load, intervalS * 1000);
    }
  }

  /** Appends `[x, ...values]` to a column table, dropping what slid out of the range. */
  function append(table: Table, x: number, values: readonly number[], rangeS: number): void {
    const last = table[0][table[0].length - 1];
    if (last !== undefined && x <= last) return;
    table[0].push(x);
    values.forEach((value, i) => {
      table[i + 1]?.push(value);
    });
    const oldest = x - rangeS;
    while (table[0].length > 0 && (table[0][0] as number) < oldest)
      for (const column of table) column.shift();
  }

  function addReading(reading: PageReading): void {
    // A zoom is a span of the past that stays as it was dragged.
    if (!current || current.zoom || typeof reading.takenAt !== 'string') return;
    const x = Date.parse(reading.takenAt) / 1000;
    if (!Number.isFinite(x)) return;
    if (current.view === 'compare') {
      const index = current.cities.indexOf(reading.city);
      const table = current.tables[index];
      if (!table) return;
      append(table, x, [reading.temperature], current.rangeS);
      charts.compare?.setData((UPlot as typeof uPlot).join(current.tables as uPlot.AlignedData[]));
    } else {
      const { kind, name } = current.subject;
      if ((kind === 'station' ? reading.station : reading.city) !== name) return;
      const t = reading.temperature;
      const h = reading.humidity;
      append(current.temperature, x, [t, t, t, 1], current.rangeS);
      append(current.humidity, x, [h, h, h, 1], current.rangeS);
      charts.temperature?.setData(shown(current.temperature, current.banded));
      charts.humidity?.setData(shown(current.humidity, current.banded));
    }
    // The first readings of a range: drawn again whole, to span them and say since when.
    if (section.dataset.state === 'empty') load();
  }

  form.addEventListener('change', () => {
    // Another city, station, range or view: its whole range again.
    zoom = undefined;
    load();
  });
  resetZoom?.addEventListener('click', () => {
    zoom = undefined;
    options.onZoom?.(undefined);
    load();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      for (const [key, chart] of Object.entries(charts) as [Box, uPlot][]) {
        chart.setSize({ width: boxes[key].clientWidth, height: chartHeight() });
      }
    }, 150);
  });
  load();
  return { addReading, reload: load };
}
