import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Counter } from 'prom-client';
import { AppError } from '../../core/app-error.js';
import { PACKAGE_ROOT } from '../../core/package-root.js';
import type { City } from '../../weather/city.js';
import type { DashboardContext } from '../dashboard-context.js';
import { currentOutbox } from '../outbox-report.js';
import { pickLang } from '../page/messages.js';
import type { ChartView, PageModel, StationLatest } from '../page/page-model.js';
import { CHART_RANGES, DEFAULT_RANGE } from '../page/render-charts.js';
import { renderPage } from '../page/render-page.js';
import { createPageWeather } from '../page-weather.js';
import { pageParameters } from '../query-params.js';
import { createVersionedCache } from '../versioned-cache.js';
import type { StationInfo } from './stations-routes.js';

/**
 * How long a page's first build of an interval waits for live weather, while Open-Meteo answers: a
 * cached answer is instant and Open-Meteo answers in a few hundred milliseconds. The weather call
 * itself may take up to 5 s (retries included); past this the page is built without it and the
 * page's script fills the panel when it arrives. A built page never waits.
 */
const PAGE_WEATHER_WAIT_MS = 800;

/** The page's state in its address; the script writes the same as the visitor changes them. */
const PAGE_PARAMETERS = ['lang', 'city', 'range', 'view', 'station'] as const;

const PUBLIC = new URL('public/', PACKAGE_ROOT);
/** The page's script, bundled from src/dashboard/browser/ by the build (scripts/bundle.mjs). */
const BUILT = new URL('dist/public/', PACKAGE_ROOT);

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SOURCE_MAP = 'application/json; charset=utf-8';
const requireFromHere = createRequire(import.meta.url);

/**
 * The page's scripts and styles, read once: every asset comes from this server. uPlot comes from
 * its npm package as installed, so its version is the lockfile's, never a CDN's.
 */
function loadAssets(): Record<string, { type: string; body: Buffer }> {
  const uplotDist = dirname(requireFromHere.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    '/assets/uplot.js': { type: JS, body: readFileSync(join(uplotDist, 'uPlot.iife.min.js')) },
    '/assets/uplot.css': { type: CSS, body: readFileSync(join(uplotDist, 'uPlot.min.css')) },
    '/assets/dashboard.js': { type: JS, body: readBuilt('dashboard.js') },
    '/assets/dashboard.js.map': { type: SOURCE_MAP, body: readBuilt('dashboard.js.map') },
    '/assets/dashboard.css': { type: CSS, body: readFileSync(new URL('dashboard.css', PUBLIC)) },
  };
}

function readBuilt(name: string): Buffer {
  try {
    return readFileSync(new URL(name, BUILT));
  } catch (error) {
    throw new Error(`the page's script ${name} is not built: run \`npm run build\``, { cause: error });
  }
}

/**
 * The charts' view and station as the address asks: `?station=finca-1` alone is that station's
 * charts (a bookmark), `view` choosing otherwise; the station view shows the first station when the
 * address names none, or one not configured (named in a notice). Without stations, no station view.
 */
function stationView(
  params: { view?: string; station?: string },
  stations: readonly StationInfo[],
): { chartView: ChartView; selectedStation?: string; unknownStation?: string } {
  const name = params.station || undefined;
  const asked = name === undefined ? undefined : stations.find((s) => s.name === name);
  const unknownStation = name !== undefined && !asked ? name : undefined;
  const first = stations[0];
  const compare = params.view === 'compare';
  if (first === undefined) return { chartView: compare ? 'compare' : 'city', unknownStation };
  const station = params.view === 'station' || (params.view === undefined && name !== undefined);
  return {
    chartView: compare ? 'compare' : station ? 'station' : 'city',
    selectedStation: (asked ?? first).name,
    // A station named beside another view is only the picker's choice: no notice for it.
    unknownStation: station ? unknownStation : undefined,
  };
}

/**
 * The page at `/` and its assets. `stations`, the configured ones, are shown beside the cities
 * with their newest readings, as of the page's build (at most an interval old).
 */
export function pageRoute(
  app: FastifyInstance,
  ctx: DashboardContext,
  stations: readonly StationInfo[] = [],
): void {
  for (const [path, asset] of Object.entries(loadAssets())) {
    app.get(path, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body),
    );
  }

  // Kept encoded: every request sends the same bytes.
  const cache = createVersionedCache<Buffer>();
  const weather = createPageWeather({
    liveWeather: ctx.liveWeather,
    clock: ctx.clock,
    intervalS: ctx.intervalS,
    waitMs: PAGE_WEATHER_WAIT_MS,
  });
  const renders = new Counter({
    name: 'clima_page_renders_total',
    help: "Times the page's HTML was built; every other request was served a built page.",
    registers: [ctx.metrics.registry],
  });

  async function latestPerStation(): Promise<StationLatest[] | 'unavailable'> {
    try {
      const latest = await ctx.guard.run('latest_per_station', () =>
        ctx.repository.latestPerStation(stations.map((station) => station.name)),
      );
      const byStation = new Map(latest.map((reading) => [reading.station, reading]));
      return stations.map(({ name, city }) => {
        const reading = byStation.get(name);
        return { name, city, latest: reading && ctx.readings.withAge(reading) };
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return 'unavailable';
    }
  }

  app.get('/', async (request, reply) => {
    // A browser gets the page whatever the address says: a value the page does not know falls
    // back to its default, and an unknown city is named in a notice. Only the API refuses.
    const params = pageParameters(request.query, PAGE_PARAMETERS);
    // `?city=` (an emptied field) asks for no city in particular.
    const cityName = params.city || undefined;
    const asked = cityName === undefined ? undefined : ctx.cities.find((c) => c.name === cityName);
    const city = asked ?? (ctx.cities[0] as City);
    const view = {
      lang: pickLang(params.lang, request.headers['accept-language']),
      selectedCity: city.name,
      unknownCity: cityName !== undefined && !asked ? cityName : undefined,
      chartRange: CHART_RANGES.some((r) => r.id === params.range) ? (params.range as string) : DEFAULT_RANGE,
      ...stationView(params, stations),
    };

    // The database and the weather API are asked at the same time, each with its own time-out.
    const [latest, observation] = await Promise.all([
      ctx.readings.latestVersion().catch((error) => {
        if (!(error instanceof AppError)) throw error;
        return 'unavailable';
      }),
      weather.observation(city),
    ]);
    const db = ctx.guard.state();
    const weatherStats = ctx.weatherStats();
    const outbox = currentOutbox(ctx.outbox?.());
    const alertsNow = ctx.alerts();
    const alerts = { active: alertsNow.active, undeliverable: alertsNow.undeliverable.length };
    // Everything the page shows besides the address: ages are as of the interval's first build.
    const version = JSON.stringify([
      Math.floor(ctx.clock.now() / (ctx.intervalS * 1000)),
      latest,
      db.up,
      db.since,
      db.problem,
      weatherStats.status,
      weatherStats.callsToday,
      outbox,
      observation,
      alerts,
    ]);
    const page = await cache.get(JSON.stringify(view), version, async () => {
      const readings = await ctx.readings.panel().then(
        (panel) => ({ ...panel, fromCache: false }),
        (error) => {
          if (!(error instanceof AppError)) throw error;
          const last = ctx.readings.lastKnown();
          return last && { ...last, fromCache: true };
        },
      );
      const stationsLatest = stations.length === 0 ? undefined : await latestPerStation();
      // Read after the panel's queries, which may have found the database down: the next request's
      // version then differs, and the page is built again.
      const database = ctx.guard.state();
      const model: PageModel = {
        ...view,
        now: new Date(ctx.clock.now()),
        timeZone: ctx.timeZone,
        intervalS: ctx.intervalS,
        cities: ctx.cities,
        database: database.up
          ? { state: 'up' }
          : { state: 'down', since: database.since, problem: database.problem },
        readings,
        openMeteo: { status: weatherStats.status, callsToday: weatherStats.callsToday },
        outbox,
        weather: observation ? { state: 'ok', observation } : { state: 'unavailable' },
        alerts,
        stations: stationsLatest,
        configuredStations: stations,
      };
      renders.inc();
      return Buffer.from(renderPage(model));
    });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
}
