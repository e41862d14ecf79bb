// The charts of `#charts`, drawn with uPlot (served by the dashboard at /assets/uplot.js). Data
// comes from /api/readings?points= (bucketed, at most 2000 points a series); new readings from the
// stream are appended by dashboard.js through `globalThis.climaCharts.addReading`. Every string
// from the API reaches the page through uPlot's text rendering or textContent, never as markup.

(() => {
  const MAX_POINTS = 2000;
  const MIN_POINTS = 200;
  const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

  if (typeof uPlot !== 'function') return;

  const isoSeconds = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  /** The typical spacing of the buckets, in seconds: the sensor's interval, or the bucket width. */
  function typicalStep(buckets) {
    const steps = [];
    for (let i = 1; i < buckets.length; i++) {
      steps.push((Date.parse(buckets[i].bucketStart) - Date.parse(buckets[i - 1].bucketStart)) / 1000);
    }
    steps.sort((a, b) => a - b);
    return steps.length > 0 ? steps[Math.floor(steps.length / 2)] : 0;
  }

  /**
   * `[xs, ...series]` from buckets, with a null where readings stopped for a while (three times
   * the usual spacing), so the chart shows a gap instead of a line across the outage.
   */
  function columns(buckets, fields, minGapS) {
    const gapS = 3 * Math.max(minGapS, typicalStep(buckets));
    const table = [[], ...fields.map(() => [])];
    let previous;
    for (const bucket of buckets) {
      const x = Date.parse(bucket.bucketStart) / 1000;
      if (previous !== undefined && x - previous > gapS) {
        table[0].push((previous + x) / 2);
        for (let i = 0; i < fields.length; i++) table[i + 1].push(null);
      }
      table[0].push(x);
      fields.forEach((field, i) => {
        table[i + 1].push(bucket[field]);
      });
      previous = x;
    }
    return table;
  }

  function start() {
    const section = document.getElementById('charts');
    if (!section) return undefined;
    const timeZone = document.body.dataset.timeZone || undefined;
    const lang = document.body.dataset.lang || 'en';
    // 24-hour times in both languages, in the page's zone; whole days once ticks are a day apart.
    const hourFormat = new Intl.DateTimeFormat(lang, {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const dayFormat = new Intl.DateTimeFormat(lang, { timeZone, day: 'numeric', month: 'short' });
    const timeTicks = (_u, ticks) => {
      const step = ticks.length > 1 ? ticks[1] - ticks[0] : 0;
      const format = step >= 86_400 ? dayFormat : hourFormat;
      return ticks.map((t) => format.format(new Date(t * 1000)));
    };
    const intervalS = Number(document.body.dataset.intervalS) || 15;
    const texts = section.dataset;
    const form = section.querySelector('.chart-controls');
    const note = section.querySelector('[data-role="chart-note"]');
    const csvLink = document.getElementById('csv-link');
    const boxes = {
      temperature: document.getElementById('chart-temperature'),
      humidity: document.getElementById('chart-humidity'),
      compare: document.getElementById('chart-compare'),
    };
    const cities = Array.from(form.elements['chart-city'].options, (option) => option.value);
    const charts = {};
    let current;
    let generation = 0;
    let retryTimer;

    const choice = (name) => form.querySelector(`input[name="${name}"]:checked`);
    const settings = () => {
      const range = choice('chart-range');
      return {
        city: form.elements['chart-city'].value,
        rangeS: Number(range ? range.dataset.seconds : 86400),
        view: choice('chart-view') ? choice('chart-view').value : 'city',
      };
    };

    function setState(state) {
      section.dataset.state = state;
      const text = { loading: texts.textLoading, empty: texts.textEmpty, failed: texts.textFailed }[state];
      note.textContent = text || '';
      note.hidden = !text;
    }

    const pointsFor = (box) => Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.round(box.clientWidth || 800)));
    const chartHeight = () => (window.innerWidth < 600 ? 180 : 240);

    function axes(unit) {
      const stroke = cssVar('--muted', '#4d5a69');
      const grid = { stroke: cssVar('--border', '#d5dce5'), width: 1 };
      return [
        { stroke, grid, ticks: grid, values: timeTicks },
        { stroke, grid, ticks: grid, size: 64, values: (_u, ticks) => ticks.map((t) => `${t} ${unit}`) },
      ];
    }

    function makeChart(box, series, data, bands) {
      box.textContent = '';
      const chart = new uPlot(
        {
          width: box.clientWidth || 600,
          height: chartHeight(),
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone || 'UTC'),
          series: [{ label: texts.labelTime }, ...series],
          bands,
          axes: axes(box.dataset.unit || ''),
          cursor: { focus: { prox: 16 } },
          legend: { live: true },
          // The whole range chosen, up to now, even where it holds no readings yet.
          scales: { x: { time: true, range: (_u, _min, max) => xRange(max) } },
        },
        data,
        box,
      );
      return chart;
    }

    function xRange(dataMax) {
      const rangeS = current ? current.rangeS : settings().rangeS;
      const to = Math.max(Date.now() / 1000, Number.isFinite(dataMax) ? dataMax : 0);
      return [to - rangeS, to];
    }

    /** Only the averages when every bucket holds one reading: it has no spread to show. */
    const shown = (table, banded) => (banded ? table : [table[0], table[3]]);

    /** A series of averages, with its min-max band when buckets merge several readings. */
    function cityChart(box, table, color, banded) {
      const t = texts;
      const average = { label: t.labelAverage, stroke: color, width: 2 };
      if (!banded) return makeChart(box, [average], shown(table, false), []);
      const edge = { stroke: `${color}66`, width: 1 };
      const series = [{ label: t.labelMin, ...edge }, { label: t.labelMax, ...edge }, average];
      return makeChart(box, series, table, [{ series: [2, 1], fill: `${color}33` }]);
    }

    async function fetchReadings(city, fromMs, toMs, points) {
      const query = new URLSearchParams({
        city,
        from: isoSeconds(fromMs),
        to: isoSeconds(toMs),
        points: String(points),
      });
      const response = await fetch(`/api/readings?${query}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (response.status !== 200) throw new Error(`readings: ${response.status}`);
      return { query, body: await response.json() };
    }

    function destroyAll() {
      for (const key of Object.keys(charts)) {
        charts[key].destroy();
        delete charts[key];
      }
    }

    async function load() {
      const mine = ++generation;
      clearTimeout(retryTimer);
      const { city, rangeS, view } = settings();
      for (const figure of section.querySelectorAll('.chart-figure'))
        figure.hidden = figure.dataset.view !== view;
      setState('loading');
      const toMs = Math.floor(Date.now() / 1000) * 1000;
      const fromMs = toMs - rangeS * 1000;
      const box = view === 'compare' ? boxes.compare : boxes.temperature;
      const points = pointsFor(box);
      try {
        const targets = view === 'compare' ? cities : [city];
        const answers = await Promise.all(targets.map((c) => fetchReadings(c, fromMs, toMs, points)));
        if (mine !== generation) return;
        destroyAll();
        const selected = answers[0];
        csvLink.href = `/api/readings.csv?${selected.query}`;
        const gapS = (body) => Math.max(body.bucketSeconds, intervalS);
        let total = 0;
        if (view === 'compare') {
          const tables = answers.map(({ body }) => columns(body.buckets, ['temperatureAvg'], gapS(body)));
          total = tables.reduce((sum, table) => sum + table[0].length, 0);
          current = { view, city, rangeS, cities: targets, tables };
          charts.compare = makeChart(
            boxes.compare,
            targets.map((name, i) => ({ label: name, stroke: PALETTE[i % PALETTE.length], width: 2 })),
            uPlot.join(tables),
          );
        } else {
          const { body } = selected;
          // One reading a bucket has no spread to show: the band appears only when buckets merge readings.
          const banded = body.buckets.some((bucket) => bucket.count > 1);
          const temperature = columns(
            body.buckets,
            ['temperatureMin', 'temperatureMax', 'temperatureAvg'],
            gapS(body),
          );
          const humidity = columns(body.buckets, ['humidityMin', 'humidityMax', 'humidityAvg'], gapS(body));
          total = temperature[0].length;
          current = { view, city, rangeS, temperature, humidity, banded };
          charts.temperature = cityChart(
            boxes.temperature,
            temperature,
            cssVar('--chart-temperature', '#c2410c'),
            banded,
          );
          charts.humidity = cityChart(
            boxes.humidity,
            humidity,
            cssVar('--chart-humidity', '#0b5cad'),
            banded,
          );
        }
        setState(total > 0 ? 'ok' : 'empty');
      } catch {
        if (mine !== generation) return;
        setState('failed');
        retryTimer = setTimeout(load, intervalS * 1000);
      }
    }

    /** Appends `[x, ...values]` to a column table, dropping what slid out of the range. */
    function append(table, x, values, rangeS) {
      const last = table[0][table[0].length - 1];
      if (last !== undefined && x <= last) return;
      table[0].push(x);
      values.forEach((value, i) => {
        table[i + 1].push(value);
      });
      const oldest = x - rangeS;
      while (table[0].length > 0 && table[0][0] < oldest) for (const column of table) column.shift();
    }

    function addReading(reading) {
      if (!current || !reading || typeof reading.takenAt !== 'string') return;
      const x = Date.parse(reading.takenAt) / 1000;
      if (!Number.isFinite(x)) return;
      if (current.view === 'compare') {
        const index = current.cities.indexOf(reading.city);
        if (index < 0) return;
        append(current.tables[index], x, [reading.temperature], current.rangeS);
        charts.compare.setData(uPlot.join(current.tables));
      } else {
        if (reading.city !== current.city) return;
        const t = reading.temperature;
        const h = reading.humidity;
        append(current.temperature, x, [t, t, t], current.rangeS);
        append(current.humidity, x, [h, h, h], current.rangeS);
        charts.temperature.setData(shown(current.temperature, current.banded));
        charts.humidity.setData(shown(current.humidity, current.banded));
      }
      if (section.dataset.state === 'empty') setState('ok');
    }

    form.addEventListener('change', load);
    form.addEventListener('submit', (event) => event.preventDefault());
    let resizeTimer;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        for (const [key, chart] of Object.entries(charts)) {
          chart.setSize({ width: boxes[key].clientWidth, height: chartHeight() });
        }
      }, 150);
    });
    load();
    return { addReading, reload: load };
  }

  globalThis.climaCharts = {
    start,
  };
})();
