// The page works without this script; it keeps `#latest`, `#stations`, `#recent`, the status strip, the charts
// and `#weather` current: pushed by /api/stream, or polled from /api/latest every
// SENSOR_INTERVAL_S while the stream is unavailable; and it keeps the page's address on the city,
// range, view and zoom shown. Every string from the API goes in through textContent, never as markup.
// The words and the formatting are the server's own (src/dashboard/page/), in the language and
// time zone the server rendered the page in.
import { startCharts } from './charts.js';
import { createDatabaseStatus } from './database-status.js';
import { createLatestPanel } from './latest-panel.js';
import { startLive } from './live-updates.js';
import { startPageState } from './page-state.js';
import { pageText } from './page-text.js';
import { createRecentPanel } from './recent-panel.js';
import { createStationsPanel } from './stations-panel.js';
import { createStatusStrip } from './status-strip.js';
import { retryWeather } from './weather-retry.js';

function start(): void {
  const text = pageText(document.body);
  const intervalS = Number(document.body.dataset.intervalS);
  const intervalMs = (intervalS > 0 ? intervalS : 15) * 1000;
  const latestPanel = document.getElementById('latest');
  const status = document.getElementById('db-status');
  const recentPanel = document.getElementById('recent');
  const stationsPanel = document.getElementById('stations');
  const weather = document.getElementById('weather');
  const pageState = startPageState();
  if (latestPanel && status) {
    const strip = createStatusStrip(text);
    startLive(
      {
        latest: createLatestPanel(latestPanel, text),
        stations: stationsPanel ? createStationsPanel(stationsPanel, text) : undefined,
        recent: recentPanel ? createRecentPanel(recentPanel, text) : undefined,
        database: createDatabaseStatus(status, text),
        strip,
        charts: startCharts(text, { zoom: pageState?.zoom, onZoom: (zoom) => pageState?.setZoom(zoom) }),
      },
      intervalMs,
    );
    const tick = () => {
      strip.tick();
      setTimeout(tick, Math.min(intervalMs, 5000));
    };
    setTimeout(tick, Math.min(intervalMs, 5000));
  }
  if (weather && weather.dataset.state === 'unavailable') retryWeather(weather, text);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
