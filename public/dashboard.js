// The page works without this script; it keeps `#latest`, `#recent`, the status strip, the charts
// (through charts.js) and `#weather` current: pushed by /api/stream, or polled from /api/latest
// every SENSOR_INTERVAL_S while the stream is unavailable; and it keeps the page's address on the
// city, range and view shown. Every string from the API goes in through textContent, never as
// markup. The formatting mirrors src/dashboard/page/format.ts, and the words come from data-*
// attributes the server rendered.

(() => {
  const fill = (template, values) =>
    String(template || '').replace(/\{(\w+)\}/g, (whole, name) =>
      name in values ? String(values[name]) : whole,
    );

  function zonedParts(date, timeZone) {
    const parts = {};
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    for (const part of format.formatToParts(date)) parts[part.type] = part.value;
    return parts;
  }

  /** HH:MM:SS (or HH:MM) in the page's time zone, with YYYY-MM-DD when not today there. */
  function formatTime(iso, timeZone, withSeconds) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    const p = zonedParts(date, timeZone);
    const today = zonedParts(new Date(), timeZone);
    const clock = withSeconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
    const sameDay = p.year === today.year && p.month === today.month && p.day === today.day;
    return sameDay ? clock : `${p.year}-${p.month}-${p.day} ${clock}`;
  }

  const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

  function formatTemperature(celsius) {
    if (!isNumber(celsius)) return '—';
    const text = celsius.toFixed(1);
    return `${text === '-0.0' ? '0.0' : text} °C`;
  }

  const formatHumidity = (percent) => (isNumber(percent) ? `${Math.round(percent)} %` : '—');

  function formatAge(ageSeconds, texts) {
    const seconds = Math.floor(ageSeconds);
    if (!(seconds >= 1)) return texts.ageNow;
    if (seconds < 60) return fill(texts.ageSeconds, { n: seconds });
    if (seconds < 3600) return fill(texts.ageMinutes, { n: Math.floor(seconds / 60) });
    if (seconds < 86400) return fill(texts.ageHours, { n: Math.floor(seconds / 3600) });
    return fill(texts.ageDays, { n: Math.floor(seconds / 86400) });
  }

  async function getJson(url, timeoutMs) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
        signal: controller.signal,
      });
      let body;
      try {
        body = await response.json();
      } catch {
        body = undefined;
      }
      return { status: response.status, body };
    } finally {
      clearTimeout(timer);
    }
  }

  function createDatabaseStatus(element, timeZone) {
    const text = element.querySelector('[data-role="text"]');
    return {
      up() {
        element.dataset.state = 'up';
        delete element.dataset.since;
        text.textContent = element.dataset.textUp;
      },
      /** `since`: when the dashboard saw the database go, if it said; else when this page noticed. */
      down(since) {
        if (element.dataset.state !== 'down' || !element.dataset.since || since) {
          element.dataset.state = 'down';
          element.dataset.since = since || new Date().toISOString();
        }
        text.textContent = fill(element.dataset.textDown, {
          time: formatTime(element.dataset.since, timeZone, false),
        });
      },
    };
  }

  const LATEST_FIELDS = ['temperature', 'humidity', 'takenAt', 'age', 'source', 'stale'];

  function createLatestPanel(panel, timeZone) {
    const tbody = panel.querySelector('tbody');
    const tableBox = panel.querySelector('.table-scroll');
    const note = panel.querySelector('[data-role="stale-note"]');
    const empty = panel.querySelector('[data-role="empty"]');
    const texts = panel.dataset;

    function createRow(city) {
      const row = document.createElement('tr');
      row.dataset.city = city;
      const header = document.createElement('th');
      header.scope = 'row';
      header.dataset.field = 'city';
      row.append(header);
      for (const field of LATEST_FIELDS) {
        const cell = document.createElement('td');
        cell.dataset.field = field;
        if (field === 'temperature' || field === 'humidity') cell.className = 'num';
        if (field === 'takenAt') cell.append(document.createElement('time'));
        if (field === 'source' || field === 'stale') {
          const badge = document.createElement('span');
          badge.className = field === 'source' ? 'badge badge-source' : 'badge badge-stale';
          if (field === 'stale') badge.textContent = texts.labelStale;
          cell.append(badge);
        }
        row.append(cell);
      }
      tbody.append(row);
      return row;
    }

    function updateRow(row, reading) {
      const cell = (field) => row.querySelector(`[data-field="${field}"]`);
      cell('city').textContent = reading.city;
      cell('temperature').textContent = formatTemperature(reading.temperature);
      cell('humidity').textContent = formatHumidity(reading.humidity);
      const time = cell('takenAt').querySelector('time');
      time.dateTime = String(reading.takenAt);
      time.textContent = formatTime(reading.takenAt, timeZone, true);
      cell('age').textContent = formatAge(reading.ageSeconds, texts);
      const source = cell('source').querySelector('.badge');
      source.dataset.source = String(reading.source);
      source.textContent =
        reading.source === 'open-meteo'
          ? texts.labelOpenMeteo
          : reading.source === 'simulated'
            ? texts.labelSimulated
            : String(reading.source);
      const stale = reading.stale === true;
      row.dataset.stale = String(stale);
      cell('stale').querySelector('.badge').hidden = !stale;
    }

    return {
      /** One new reading of a city: its row only, the others stay. */
      update(reading) {
        if (!reading || typeof reading.city !== 'string') return;
        const row = Array.from(tbody.rows).find((r) => r.dataset.city === reading.city);
        updateRow(row || createRow(reading.city), reading);
        panel.dataset.state = 'ok';
        panel.dataset.stale = 'false';
        note.hidden = true;
        tableBox.hidden = false;
        empty.hidden = true;
      },
      show(readings) {
        const rows = new Map(Array.from(tbody.rows, (row) => [row.dataset.city, row]));
        const seen = new Set();
        for (const reading of readings) {
          if (!reading || typeof reading.city !== 'string') continue;
          seen.add(reading.city);
          updateRow(rows.get(reading.city) || createRow(reading.city), reading);
        }
        for (const [city, row] of rows) if (!seen.has(city)) row.remove();
        const hasRows = tbody.rows.length > 0;
        panel.dataset.state = hasRows ? 'ok' : 'empty';
        panel.dataset.stale = 'false';
        panel.dataset.fetchedAt = new Date().toISOString();
        note.hidden = true;
        tableBox.hidden = !hasRows;
        empty.hidden = hasRows;
        if (!hasRows) empty.textContent = empty.dataset.textEmpty;
      },
      markStale() {
        if (panel.dataset.state !== 'ok') return;
        panel.dataset.stale = 'true';
        const fetchedAt = panel.dataset.fetchedAt;
        note.textContent = fill(note.dataset.template, {
          time: fetchedAt ? formatTime(fetchedAt, timeZone, false) : '—',
        });
        note.hidden = false;
      },
    };
  }

  const RECENT_ROWS = 15;

  /** `#recent`, the paper's last-15 table: a pushed reading goes on top, the 16th row goes. */
  function createRecentPanel(panel, timeZone, labels) {
    const tbody = panel.querySelector('tbody');
    return {
      add(reading) {
        if (!reading || !isNumber(reading.id)) return;
        if (Array.from(tbody.rows).some((row) => Number(row.dataset.id) >= reading.id)) return;
        const row = document.createElement('tr');
        row.dataset.id = String(reading.id);
        const id = document.createElement('th');
        id.scope = 'row';
        id.className = 'num';
        id.textContent = String(reading.id);
        const cell = (text, className) => {
          const td = document.createElement('td');
          if (className) td.className = className;
          td.textContent = text;
          return td;
        };
        const timeCell = cell('');
        const time = document.createElement('time');
        time.dateTime = String(reading.takenAt);
        time.textContent = formatTime(reading.takenAt, timeZone, true);
        timeCell.append(time);
        const sourceCell = cell('');
        const badge = document.createElement('span');
        badge.className = 'badge badge-source';
        badge.dataset.source = String(reading.source);
        badge.textContent = labels.source(reading.source);
        sourceCell.append(badge);
        row.append(
          id,
          cell(String(reading.city)),
          cell(formatTemperature(reading.temperature), 'num'),
          cell(formatHumidity(reading.humidity), 'num'),
          timeCell,
          sourceCell,
        );
        tbody.prepend(row);
        while (tbody.rows.length > RECENT_ROWS) tbody.rows[tbody.rows.length - 1].remove();
        panel.dataset.state = 'ok';
        panel.querySelector('.table-scroll').hidden = false;
        panel.querySelector('[data-role="empty"]').hidden = true;
      },
    };
  }

  /** The header's strip beyond `#db-status`: Open-Meteo, the outbox, freshness per city, sources. */
  function createStatusStrip(texts, labels) {
    const weather = document.getElementById('weather-status');
    const outbox = document.getElementById('outbox-depth');
    const storage = document.getElementById('storage-status');
    const dbStatus = document.getElementById('db-status');
    const dbProblem = dbStatus ? dbStatus.querySelector('[data-role="problem"]') : null;
    const freshness = document.getElementById('freshness');
    const sources = document.getElementById('source-status');
    const staleAfterS = freshness ? Number(freshness.dataset.staleAfterS) || 45 : 45;
    const numberFormat = new Intl.NumberFormat(document.body.dataset.lang || undefined);
    const latestSource = new Map();

    function chip(city) {
      if (!freshness) return undefined;
      return Array.from(freshness.querySelectorAll('li')).find((li) => li.dataset.city === city);
    }

    function tick() {
      if (!freshness) return;
      for (const li of freshness.querySelectorAll('li')) {
        const takenAt = Date.parse(li.dataset.takenAt || '');
        if (!Number.isFinite(takenAt)) continue;
        const ageS = Math.max(0, (Date.now() - takenAt) / 1000);
        li.querySelector('[data-role="age"]').textContent = formatAge(ageS, texts);
        const stale = ageS > staleAfterS;
        li.dataset.stale = String(stale);
        li.querySelector('.badge-stale').hidden = !stale;
      }
    }

    function showSources() {
      if (!sources) return;
      const box = sources.querySelector('[data-role="sources"]');
      box.textContent = '';
      for (const source of Array.from(new Set(latestSource.values())).sort()) {
        const badge = document.createElement('span');
        badge.className = 'badge badge-source';
        badge.dataset.source = String(source);
        badge.textContent = labels.source(source);
        box.append(badge);
      }
    }

    return {
      staleAfterS,
      tick,
      reading(reading) {
        const li = chip(reading.city);
        if (li) {
          const previous = Date.parse(li.dataset.takenAt || '');
          if (!(Date.parse(reading.takenAt) < previous)) li.dataset.takenAt = String(reading.takenAt);
        }
        latestSource.set(reading.city, reading.source);
        showSources();
        tick();
      },
      latest(readings) {
        for (const reading of readings) this.reading(reading);
      },
      /** A `status` event, or /api/status while polling. */
      status(status) {
        if (!status) return;
        const openMeteo = status.openMeteo;
        if (weather && openMeteo) {
          const state =
            openMeteo.status === 'up' || openMeteo.status === 'unused' ? openMeteo.status : 'down';
          weather.dataset.state = state;
          const texts = {
            up: weather.dataset.textUp,
            down: weather.dataset.textDown,
            unused: weather.dataset.textUnused,
          };
          weather.querySelector('[data-role="text"]').textContent = texts[state];
          weather.querySelector('[data-role="calls"]').textContent = fill(weather.dataset.callsTemplate, {
            calls: numberFormat.format(Number(openMeteo.callsToday) || 0),
            budget: numberFormat.format(Number(weather.dataset.budget) || 0),
          });
        }
        if (outbox) {
          const box = status.outbox;
          outbox.hidden = !box;
          if (box) {
            const known = box.reachable !== false && isNumber(box.depth);
            outbox.querySelector('[data-role="text"]').textContent = known
              ? fill(outbox.dataset.template, { n: box.depth })
              : outbox.dataset.textUnknown;
            outbox.dataset.state = known ? 'known' : 'unknown';
          }
        }
        if (dbProblem && status.database && 'problem' in status.database) {
          const text = status.database.problem ? status.database.problem[document.body.dataset.lang] : '';
          dbProblem.hidden = !text;
          dbProblem.textContent = text || '';
        }
        if (storage && 'storage' in status) {
          const text = status.storage ? status.storage[document.body.dataset.lang] : undefined;
          storage.hidden = !text;
          if (text) storage.querySelector('[data-role="text"]').textContent = text;
        }
      },
    };
  }

  /** /api/latest and /api/status every interval: the page's fallback while the stream is unavailable. */
  function createPoller(latest, database, strip, intervalMs) {
    let timer;
    let running = false;
    async function refresh() {
      if (document.hidden) return;
      let answer;
      try {
        answer = await getJson('/api/latest', intervalMs);
      } catch {
        // The dashboard itself is unreachable: the values are old, but that says nothing of the db.
        latest.markStale();
        return;
      }
      if (answer.status === 503) {
        database.down();
        latest.markStale();
      } else if (answer.status === 200 && answer.body && Array.isArray(answer.body.readings)) {
        database.up();
        latest.show(answer.body.readings);
        strip.latest(answer.body.readings);
      } else {
        latest.markStale();
      }
      try {
        const status = await getJson('/api/status', intervalMs);
        if (status.status === 200) strip.status(status.body);
      } catch {
        // The strip keeps what it showed; the next round asks again.
      }
    }
    const loop = async () => {
      await refresh();
      if (running) timer = setTimeout(loop, intervalMs);
    };
    return {
      start() {
        if (running) return;
        running = true;
        timer = setTimeout(loop, intervalMs);
      },
      stop() {
        running = false;
        clearTimeout(timer);
      },
    };
  }

  /**
   * New readings and status pushed by /api/stream. EventSource reconnects by itself (resuming with
   * Last-Event-ID); while it is not connected the page polls, and when the browser gives up on the
   * stream (an error status) it tries the stream again after a while.
   */
  function startLive(parts, intervalMs) {
    const { latest, recent, database, strip, charts } = parts;
    const poller = createPoller(latest, database, strip, intervalMs);
    if (typeof EventSource !== 'function') {
      poller.start();
      return;
    }
    const onReading = (reading) => {
      if (!reading || typeof reading.city !== 'string') return;
      const ageSeconds = Math.max(0, (Date.now() - Date.parse(reading.takenAt)) / 1000);
      latest.update({ ...reading, ageSeconds, stale: ageSeconds > strip.staleAfterS });
      if (recent) recent.add(reading);
      strip.reading(reading);
      if (charts) charts.addReading(reading);
    };
    const onStatus = (status) => {
      strip.status(status);
      if (!status?.database) return;
      if (status.database.status === 'down') {
        database.down(status.database.since);
        latest.markStale();
      } else {
        database.up();
      }
    };
    const parsed = (handler) => (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      handler(data);
    };
    const connect = () => {
      const source = new EventSource('/api/stream');
      source.addEventListener('open', () => poller.stop());
      source.addEventListener('reading', parsed(onReading));
      source.addEventListener('status', parsed(onStatus));
      source.addEventListener('error', () => {
        poller.start();
        if (source.readyState === EventSource.CLOSED) {
          latest.markStale();
          setTimeout(connect, 4 * intervalMs);
        }
      });
    };
    connect();
  }

  function retryWeather(panel, timeZone) {
    const city = panel.dataset.city;
    const retryMs = (Number(panel.dataset.retryS) || 30) * 1000;
    // The page stops waiting for live weather before the weather call gives up, and the answer it
    // missed lands in the dashboard's short cache: one early try usually finds it there.
    const firstTryMs = Math.min(5000, retryMs);
    if (!city) return;
    const valid = (body) =>
      body && typeof body.city === 'string' && isNumber(body.temperature) && isNumber(body.humidity);

    function show(observation) {
      const field = (name) => panel.querySelector(`[data-role="weather-ok"] [data-field="${name}"]`);
      field('city').textContent = observation.city;
      field('temperature').textContent = formatTemperature(observation.temperature);
      field('humidity').textContent = formatHumidity(observation.humidity);
      const observedAt = field('observedAt');
      const time = observedAt.querySelector('time') || observedAt.appendChild(document.createElement('time'));
      time.dateTime = String(observation.observedAt);
      time.textContent = formatTime(observation.observedAt, timeZone, false);
      panel.querySelector('[data-role="weather-ok"]').hidden = false;
      panel.querySelector('[data-role="weather-unavailable"]').hidden = true;
      panel.dataset.state = 'ok';
    }

    const attempt = async () => {
      try {
        const answer = await getJson(`/api/weather?city=${encodeURIComponent(city)}`, retryMs);
        if (answer.status === 200 && valid(answer.body)) {
          show(answer.body);
          return;
        }
      } catch {
        // Unreachable or timed out: same as unavailable, try again later.
      }
      setTimeout(attempt, retryMs);
    };
    setTimeout(attempt, firstTryMs);
  }

  const isoSeconds = (ms) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

  /**
   * The page's state (language, city, range, view) lives in its address, in the order the server
   * writes it, so a reload or a bookmark shows the same page; the language links and the city
   * form carry it too. The CSV link asks for the raw readings of what is shown, ending at the
   * moment of the click (every city's in the all-cities view).
   */
  function startPageState() {
    const section = document.getElementById('charts');
    const form = section?.querySelector('form');
    if (!form) return;
    const citySelect = form.querySelector('select');
    const csvLink = document.getElementById('csv-link');
    const checked = (name) =>
      Array.from(form.querySelectorAll(`input[name="${name}"]`)).find((input) => input.checked);
    const state = () => {
      const range = checked('chart-range');
      const view = checked('chart-view');
      return {
        lang: document.body.dataset.lang || '',
        city: citySelect ? citySelect.value : '',
        range: range ? range.value : '',
        rangeS: range ? Number(range.dataset.seconds) : 86400,
        view: view ? view.value : 'city',
      };
    };
    const query = ({ lang, city, range, view }) =>
      new URLSearchParams({ lang, city, range, view }).toString();

    function update() {
      const now = state();
      history.replaceState(history.state, '', `?${query(now)}${location.hash}`);
      for (const link of Array.from(document.body.querySelectorAll('.lang-switch a[hreflang]'))) {
        link.setAttribute('href', `?${query({ ...now, lang: link.getAttribute('hreflang') })}`);
      }
      const weatherForm = document.getElementById('weather')?.querySelector('form');
      for (const name of ['range', 'view']) {
        const input = weatherForm?.querySelector(`input[name="${name}"]`);
        if (input) input.setAttribute('value', now[name]);
      }
      pointCsvLink();
    }

    function pointCsvLink() {
      if (!csvLink) return;
      const { city, rangeS, view } = state();
      const toMs = Math.floor(Date.now() / 1000) * 1000;
      const params = new URLSearchParams(view === 'compare' ? {} : { city });
      params.set('from', isoSeconds(toMs - rangeS * 1000));
      params.set('to', isoSeconds(toMs));
      csvLink.setAttribute('href', `/api/readings.csv?${params.toString()}`);
    }

    form.addEventListener('change', update);
    // Any way of following the link (a click, a middle click, "save link as") gets the range up to now.
    for (const type of ['click', 'auxclick', 'contextmenu']) csvLink?.addEventListener(type, pointCsvLink);
    update();
  }

  function start() {
    const timeZone = document.body.dataset.timeZone || undefined;
    const intervalS = Number(document.body.dataset.intervalS);
    const intervalMs = (intervalS > 0 ? intervalS : 15) * 1000;
    const latestPanel = document.getElementById('latest');
    const status = document.getElementById('db-status');
    const recentPanel = document.getElementById('recent');
    const weather = document.getElementById('weather');
    if (latestPanel && status) {
      const texts = latestPanel.dataset;
      const labels = {
        source: (source) =>
          source === 'open-meteo'
            ? texts.labelOpenMeteo
            : source === 'simulated'
              ? texts.labelSimulated
              : String(source),
      };
      const strip = createStatusStrip(texts, labels);
      const charts = globalThis.climaCharts
        ? globalThis.climaCharts.start({ formatTime: (at) => formatTime(at, timeZone, false) })
        : undefined;
      startLive(
        {
          latest: createLatestPanel(latestPanel, timeZone),
          recent: recentPanel ? createRecentPanel(recentPanel, timeZone, labels) : undefined,
          database: createDatabaseStatus(status, timeZone),
          strip,
          charts,
        },
        intervalMs,
      );
      const tick = () => {
        strip.tick();
        setTimeout(tick, Math.min(intervalMs, 5000));
      };
      setTimeout(tick, Math.min(intervalMs, 5000));
    }
    if (weather && weather.dataset.state === 'unavailable') retryWeather(weather, timeZone);
    startPageState();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
