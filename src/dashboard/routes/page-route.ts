import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import { PACKAGE_ROOT } from '../../core/package-root.js';
import type { City } from '../../weather/city.js';
import type { DashboardContext } from '../dashboard-context.js';
import { currentOutbox } from '../outbox-report.js';
import { pickLang } from '../page/messages.js';
import type { PageModel } from '../page/page-model.js';
import { CHART_RANGES, DEFAULT_RANGE } from '../page/render-charts.js';
import { renderPage } from '../page/render-page.js';
import { pageParameters } from '../query-params.js';

/**
 * How long the page waits for live weather: a cached answer is instant and Open-Meteo answers in a
 * few hundred milliseconds. The weather call itself may take up to 5 s (retries included); past
 * this the page renders without it and the page's script fills the panel when it arrives, so a
 * slow or unreachable Open-Meteo delays the readings by under a second.
 */
const PAGE_WEATHER_WAIT_MS = 800;

/** The page's state in its address; the script writes the same four as the visitor changes them. */
const PAGE_PARAMETERS = ['lang', 'city', 'range', 'view'] as const;

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

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function pageRoute(app: FastifyInstance, ctx: DashboardContext): void {
  for (const [path, asset] of Object.entries(loadAssets())) {
    app.get(path, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=300').send(asset.body),
    );
  }

  app.get('/', async (request, reply) => {
    // A browser gets the page whatever the address says: a value the page does not know falls
    // back to its default, and an unknown city is named in a notice. Only the API refuses.
    const params = pageParameters(request.query, PAGE_PARAMETERS);
    // `?city=` (an emptied field) asks for no city in particular.
    const cityName = params.city || undefined;
    const asked = cityName === undefined ? undefined : ctx.cities.find((c) => c.name === cityName);
    const city = asked ?? (ctx.cities[0] as City);

    // The database and the weather API are asked at the same time, each with its own time-out.
    const [readings, weather] = await Promise.all([
      ctx.readings.panel().then(
        (panel) => ({ ...panel, fromCache: false }),
        (error) => {
          if (!(error instanceof AppError)) throw error;
          const last = ctx.readings.lastKnown();
          return last && { ...last, fromCache: true };
        },
      ),
      within(
        ctx.liveWeather.current(city).catch(() => undefined),
        PAGE_WEATHER_WAIT_MS,
      ),
    ]);
    const db = ctx.guard.state();
    const weatherStats = ctx.weatherStats();
    const model: PageModel = {
      lang: pickLang(params.lang, request.headers['accept-language']),
      now: new Date(ctx.clock.now()),
      timeZone: ctx.timeZone,
      intervalS: ctx.intervalS,
      cities: ctx.cities,
      selectedCity: city.name,
      unknownCity: cityName !== undefined && !asked ? cityName : undefined,
      chartRange: CHART_RANGES.some((r) => r.id === params.range) ? (params.range as string) : DEFAULT_RANGE,
      chartView: params.view === 'compare' ? 'compare' : 'city',
      database: db.up ? { state: 'up' } : { state: 'down', since: db.since, problem: db.problem },
      readings,
      openMeteo: { status: weatherStats.status, callsToday: weatherStats.callsToday },
      outbox: currentOutbox(ctx.outbox?.()),
      weather: weather ? { state: 'ok', observation: weather } : { state: 'unavailable' },
    };
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(model));
  });
}
