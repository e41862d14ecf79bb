// The charts of `#charts`, drawn with uPlot (served by the dashboard at /assets/uplot.js). Data
// comes from /api/readings?points= (bucketed, at most 2000 points a series); new readings from the
// stream are appended by dashboard.js through `globalThis.climaCharts.addReading`. Every string
// from the API reaches the page through uPlot's text rendering or textContent, never as markup.
// The scale and range choices are plain functions of `globalThis.climaCharts`, so they are tested
// apart from the browser.

(() => {
  const MAX_POINTS = 2000;
  const MIN_POINTS = 200;
  const PALETTE = ['#0b5cad', '#c2410c', '#15803d', '#7e22ce', '#b91c1c', '#0e7490', '#a16207', '#be185d'];
  /** Vertical room a value-axis label needs, in CSS pixels, so labels never crowd. */
  const TICK_SPACE_PX = 28;
  /** What the x axis and the padding around the plot take of a chart's height. */
  const X_AXIS_PX = 60;

  const isoSeconds = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

  /** Digits after the point that `x` (a power of ten times 1, 2 or 5) needs: 0.5 -> 1, 2 -> 0. */
  const decimalsOf = (x) => Math.max(0, Math.ceil(-Math.log10(x) - 1e-9));

  /**
   * The value axis of a series measured to `precision` (0.1 °C, 1 %): round ticks, steps of 1, 2 or
   * 5 times a power of ten of the precision, at most `maxTicks` of them. The data is padded by at
   * least one unit of precision, so a nearly flat series stays a nearly flat line in the middle of
   * the chart instead of a cliff across its height; `bounds` keeps the axis within what the
   * quantity can be (humidity: 0-100 %). `undefined` without data.
   */
  function valueAxis(dataMin, dataMax, { precision, bounds, maxTicks }) {
    if (!Number.isFinite(dataMin) || !Number.isFinite(dataMax)) return undefined;
    // In whole units of precision from here on, so no tick is 17.575 by floating-point accident.
    const floor = bounds ? bounds[0] / precision : -Infinity;
    const ceil = bounds ? bounds[1] / precision : Infinity;
    const lowest = Math.floor(Math.min(dataMin, dataMax) / precision + 1e-9);
    const highest = Math.ceil(Math.max(dataMin, dataMax) / precision - 1e-9);
    const pad = Math.max(1, Math.round((highest - lowest) * 0.05));
    const low = Math.max(floor, lowest - pad);
    const high = Math.min(ceil, highest + pad);
    for (let magnitude = 1; ; magnitude *= 10) {
      for (const step of [magnitude, 2 * magnitude, 5 * magnitude]) {
        const first = Math.max(floor, Math.floor(low / step) * step);
        const last = Math.min(ceil, Math.ceil(high / step) * step);
        if ((last - first) / step > Math.max(2, maxTicks - 1)) continue;
        const at = (units) => Number((units * precision).toFixed(decimalsOf(precision)));
        const ticks = [];
        for (let units = first; units <= last; units += step) ticks.push(at(units));
        const decimals = decimalsOf(step * precision);
        return { min: at(first), max: at(last), ticks, labels: ticks.map((t) => t.toFixed(decimals)) };
      }
    }
  }

  /** How many value ticks fit a chart `heightPx` tall. */
  const maxTicksFor = (heightPx) => Math.max(3, Math.floor((heightPx - X_AXIS_PX) / TICK_SPACE_PX) + 1);

  /**
   * When the data begins well inside the range asked for (`firstS` more than `slackS` after
   * `fromS`), the time it began: the chart then spans the data there is, "collecting since",
   * instead of an empty range with a dot at its edge. Whether older readings exist, which would
   * make the empty part an outage to show, is for the caller to ask.
   */
  function collectingSince(firstS, fromS, slackS) {
    return Number.isFinite(firstS) && firstS - fromS > slackS ? firstS : undefined;
  }

  /**
   * The time axis, `[from, to]` in seconds: the whole range up to now (or the newest reading, if
   * the clocks differ), or from `sinceS` while still collecting, but never narrower than `minSpanS`.
   */
  function timeRange(nowS, dataMaxS, rangeS, sinceS, minSpanS) {
    const to = Math.max(nowS, Number.isFinite(dataMaxS) ? dataMaxS : 0);
    if (sinceS === undefined) return [to - rangeS, to];
    return [Math.max(to - rangeS, Math.min(sinceS, to - minSpanS)), to];
  }

  /** Per series, the index of its newest value: what the legend shows while nothing is hovered. */
  function latestIndexes(data) {
    const idxs = data.map((column) => {
      for (let i = column.length - 1; i >= 0; i--) if (column[i] != null) return i;
      return null;
    });
    const newest = idxs.slice(1).filter((i) => i !== null);
    idxs[0] = newest.length > 0 ? Math.max(...newest) : null;
    return idxs;
  }

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

  /** Wide enough for the longest label, measured in the axis's own font, so none is clipped. */
  function axisSize(u, values, axisIdx, cycleNum) {
    const axis = u.axes[axisIdx];
    if (cycleNum > 1) return axis._size;
    const longest = (values || []).reduce((a, b) => (String(b).length > a.length ? String(b) : a), '');
    u.ctx.font = axis.font[0];
    return Math.ceil(axis.ticks.size + axis.gap + u.ctx.measureText(longest).width / devicePixelRatio + 4);
  }

  /**
   * Draws the charts. `formatTime(ms)` is the page's own clock format (its time zone, `HH:MM`,
   * with the date when not today), shared with the tables, for the legend and the notes.
   */
  function start({ formatTime }) {
    if (typeof uPlot !== 'function') return undefined;
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

    function setState(state, since) {
      section.dataset.state = state;
      const text = {
        loading: texts.textLoading,
        empty: texts.textEmpty,
        failed: texts.textFailed,
        ok: since === undefined ? '' : texts.textCollecting.replace('{time}', formatTime(since * 1000)),
      }[state];
      note.textContent = text || '';
      note.hidden = !text;
    }

    const pointsFor = (box) => Math.max(MIN_POINTS, Math.min(MAX_POINTS, Math.round(box.clientWidth || 800)));
    const chartHeight = () => (window.innerWidth < 600 ? 180 : 240);

    /**
     * The value scale and axis of a chart box, from its data-unit, data-precision and (for
     * quantities with limits) data-min and data-max. The ticks are those of the range last chosen.
     */
    function valueScale(box, axisStyle) {
      const unit = box.dataset.unit || '';
      const precision = Number(box.dataset.precision) || 0.1;
      const bounds =
        box.dataset.min === undefined ? undefined : [Number(box.dataset.min), Number(box.dataset.max)];
      let chosen;
      return {
        scale: {
          range: (_u, min, max) => {
            chosen = valueAxis(min, max, { precision, bounds, maxTicks: maxTicksFor(chartHeight()) });
            return chosen ? [chosen.min, chosen.max] : [0, 1];
          },
        },
        axis: {
          ...axisStyle,
          size: axisSize,
          splits: () => (chosen ? chosen.ticks : []),
          values: () => (chosen ? chosen.labels.map((label) => `${label} ${unit}`) : []),
        },
        value: (_u, v) => (v == null ? '—' : `${v.toFixed(decimalsOf(precision))} ${unit}`),
      };
    }

    /** While nothing is hovered, the legend shows the newest values instead of blanks. */
    function showLatestWhenIdle(u) {
      if (u.legend.idx == null && u.data[0].length > 0) u.setLegend({ idxs: latestIndexes(u.data) }, false);
    }

    function makeChart(box, series, data, bands) {
      box.textContent = '';
      const grid = { stroke: cssVar('--border', '#d5dce5'), width: 1 };
      const axisStyle = { stroke: cssVar('--muted', '#4d5a69'), grid, ticks: grid };
      const values = valueScale(box, axisStyle);
      return new uPlot(
        {
          width: box.clientWidth || 600,
          height: chartHeight(),
          tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone || 'UTC'),
          series: [
            { label: texts.labelTime, value: (_u, t) => (t == null ? '—' : formatTime(t * 1000)) },
            ...series.map((s) => ({ value: values.value, ...s })),
          ],
          bands,
          axes: [{ ...axisStyle, values: timeTicks }, values.axis],
          cursor: { focus: { prox: 16 } },
          legend: { live: true },
          scales: {
            x: { time: true, range: (_u, _min, max) => xRange(max) },
            y: values.scale,
          },
          hooks: { setLegend: [showLatestWhenIdle] },
        },
        data,
        box,
      );
    }

    function xRange(dataMax) {
      const rangeS = current ? current.rangeS : settings().rangeS;
      const since = current ? current.since : undefined;
      return timeRange(Date.now() / 1000, dataMax, rangeS, since, 10 * intervalS);
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

    async function getReadings(query) {
      const response = await fetch(`/api/readings?${query}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      });
      if (response.status !== 200) throw new Error(`readings: ${response.status}`);
      return response.json();
    }

    async function fetchReadings(city, fromMs, toMs, points) {
      const query = new URLSearchParams({
        city,
        from: isoSeconds(fromMs),
        to: isoSeconds(toMs),
        points: String(points),
      });
      return { query, body: await getReadings(query) };
    }

    /** Whether any of `targets` has a reading older than `fromMs`: then an empty start is an outage. */
    async function olderReadings(targets, fromMs) {
      const found = await Promise.all(
        targets.map((city) =>
          getReadings(
            new URLSearchParams({ city, from: isoSeconds(0), to: isoSeconds(fromMs - 1000), limit: '1' }),
          ),
        ),
      );
      return found.some((body) => body.readings.length > 0);
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
        const fetchAll = (startMs) =>
          Promise.all(targets.map((c) => fetchReadings(c, startMs, toMs, points)));
        const gapS = (body) => Math.max(body.bucketSeconds, intervalS);
        const firstS = (bodies) =>
          Math.min(
            ...bodies.map(({ body }) =>
              body.buckets.length > 0 ? Date.parse(body.buckets[0].bucketStart) / 1000 : Infinity,
            ),
          );
        let answers = await fetchAll(fromMs);
        let since = collectingSince(firstS(answers), fromMs / 1000, 3 * gapS(answers[0].body));
        if (since !== undefined && (await olderReadings(targets, fromMs))) since = undefined;
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
          current = { view, city, rangeS, since, cities: targets, tables };
          charts.compare = makeChart(
            boxes.compare,
            targets.map((name, i) => ({ label: name, stroke: PALETTE[i % PALETTE.length], width: 2 })),
            uPlot.join(tables),
          );
        } else {
          const { body } = answers[0];
          // One reading a bucket has no spread to show: the band appears only when buckets merge readings.
          const banded = body.buckets.some((bucket) => bucket.count > 1);
          const temperature = columns(
            body.buckets,
            ['temperatureMin', 'temperatureMax', 'temperatureAvg'],
            gapS(body),
          );
          const humidity = columns(body.buckets, ['humidityMin', 'humidityMax', 'humidityAvg'], gapS(body));
          total = temperature[0].length;
          current = { view, city, rangeS, since, temperature, humidity, banded };
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
        setState(total > 0 ? 'ok' : 'empty', since);
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
      // The first readings of a range: drawn again whole, to span them and say since when.
      if (section.dataset.state === 'empty') load();
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

  globalThis.climaCharts = { start, valueAxis, maxTicksFor, collectingSince, timeRange, latestIndexes };
})();
