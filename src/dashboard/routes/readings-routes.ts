import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/app-error.js';
import type { City } from '../../weather/city.js';
import { toApiReading } from '../api-reading.js';
import type { DashboardContext } from '../dashboard-context.js';
import { dateTime, integerIn, noParameters, queryParser } from '../query-params.js';
import { bucketsCsv, rawReadingsCsv } from '../readings-csv.js';

const DAY_MS = 86_400_000;
export const MAX_LIMIT = 1000;
export const MAX_POINTS = 2000;

const rangeParameters = {
  from: dateTime.optional(),
  to: dateTime.optional(),
  limit: integerIn(1, MAX_LIMIT).optional(),
  points: integerIn(1, MAX_POINTS).optional(),
};
// Without a city, the buckets of every city (the page's all-cities view in one request), and the
// CSV of every city's readings (its download).
const parseReadingsQuery = queryParser({ city: z.string().optional(), ...rangeParameters });

interface RangeSelection {
  /** Every configured city when the query names none. */
  readonly cities: readonly City[];
  readonly from: Date;
  readonly to: Date;
  readonly limit: number | undefined;
  readonly points: number | undefined;
}

/** The checked parameters of `GET /api/readings` and its CSV twin. */
function selectRange(ctx: DashboardContext, params: ReturnType<typeof parseReadingsQuery>): RangeSelection {
  const city = params.city === undefined ? undefined : ctx.cities.find((c) => c.name === params.city);
  if (params.city !== undefined && !city) {
    throw new AppError('unknown_city', `parameter "city": unknown city "${params.city}"`);
  }
  if (params.limit !== undefined && params.points !== undefined) {
    throw new AppError('invalid_parameter', 'parameters "limit" and "points" cannot be combined');
  }
  const to = params.to ?? new Date(ctx.clock.now());
  const from = params.from ?? new Date(to.getTime() - DAY_MS);
  if (from.getTime() > to.getTime()) {
    throw new AppError('invalid_parameter', 'parameter "from": must not be after "to"');
  }
  return { cities: city ? [city] : ctx.cities, from, to, limit: params.limit, points: params.points };
}

function bucketed(ctx: DashboardContext, city: City, range: RangeSelection, points: number) {
  return ctx.guard.run('bucketed_readings', () =>
    ctx.repository.bucketedReadings({ city: city.name, from: range.from, to: range.to, points }),
  );
}

export function readingsRoutes(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/api/cities', async (request) => {
    noParameters(request.query);
    return { cities: ctx.cities };
  });

  app.get('/api/latest', async (request, reply) => {
    noParameters(request.query);
    return reply.type('application/json; charset=utf-8').send(await ctx.readings.latestJson());
  });

  app.get('/api/readings', async (request, reply) => {
    const params = parseReadingsQuery(request.query);
    const range = selectRange(ctx, params);
    const answer = { from: range.from.toISOString(), to: range.to.toISOString() };
    const { points } = range;
    if (points === undefined) {
      if (params.city === undefined) {
        throw new AppError('invalid_parameter', 'parameter "city": needed unless "points" is given');
      }
      const [city] = range.cities as [City];
      const query = { city: city.name, from: range.from, to: range.to, limit: range.limit ?? 100 };
      const readings = await ctx.guard.run('readings_in_range', () => ctx.repository.readingsInRange(query));
      return { city: city.name, ...answer, readings: readings.map(toApiReading) };
    }
    const key = JSON.stringify([params.city ?? null, answer.from, answer.to, points]);
    const json = await ctx.readings.chartJson(key, async () => {
      if (params.city !== undefined) {
        const [city] = range.cities as [City];
        const { bucketSeconds, buckets } = await bucketed(ctx, city, range, points);
        return { city: city.name, ...answer, bucketSeconds, buckets };
      }
      const answers = await Promise.all(range.cities.map((city) => bucketed(ctx, city, range, points)));
      // Every city's buckets have the same width: it depends on the range and points alone.
      const bucketSeconds = answers[0]?.bucketSeconds ?? 0;
      const cities = range.cities.map((city, i) => ({ city: city.name, buckets: answers[i]?.buckets ?? [] }));
      return { ...answer, bucketSeconds, cities };
    });
    return reply.type('application/json; charset=utf-8').send(json);
  });

  app.get('/api/readings.csv', async (request, reply) => {
    const params = parseReadingsQuery(request.query);
    const range = selectRange(ctx, params);
    if (params.city === undefined && range.points !== undefined) {
      throw new AppError(
        'invalid_parameter',
        'parameter "points": needs "city" in the CSV (buckets are per city)',
      );
    }
    const [city] = range.cities;
    const lines =
      range.points !== undefined && city
        ? bucketsCsv((await bucketed(ctx, city, range, range.points)).buckets)
        : await rawReadingsCsv(ctx, range);
    const day = range.to.toISOString().slice(0, 10);
    const name = params.city === undefined ? 'all-cities' : params.city.replace(/[^\w-]+/g, '_');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="clima-${name}-${day}.csv"`)
      .send(Readable.from(lines));
  });
}
