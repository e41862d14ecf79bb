// The page works without this script; it only keeps `#latest`, `#db-status` and `#weather` current.
// Every string from the API goes in through textContent, never as markup. The formatting mirrors
// src/dashboard/page/format.ts, and the words come from data-* attributes the server rendered.

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
      down() {
        if (element.dataset.state !== 'down' || !element.dataset.since) {
          element.dataset.state = 'down';
          element.dataset.since = new Date().toISOString();
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

  function pollLatest(latest, database, intervalMs) {
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
      } else {
        latest.markStale();
      }
    }
    const loop = async () => {
      await refresh();
      setTimeout(loop, intervalMs);
    };
    setTimeout(loop, intervalMs);
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

  function start() {
    const timeZone = document.body.dataset.timeZone || undefined;
    const intervalS = Number(document.body.dataset.intervalS);
    const intervalMs = (intervalS > 0 ? intervalS : 15) * 1000;
    const latest = document.getElementById('latest');
    const status = document.getElementById('db-status');
    const weather = document.getElementById('weather');
    if (latest && status) {
      pollLatest(createLatestPanel(latest, timeZone), createDatabaseStatus(status, timeZone), intervalMs);
    }
    if (weather && weather.dataset.state === 'unavailable') retryWeather(weather, timeZone);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
