import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/app-error.js';
import type { Reading, ReadingBucket } from '../../db/reading.js';
import type { City } from '../../weather/city.js';
import { toApiReading } from '../api-reading.js';
import { csvRecord } from '../csv.js';
import type { DashboardContext } from '../dashboard-context.js';
import { dateTime, integerIn, noParameters, queryParser } from '../query-params.js';

const DAY_MS = 86_400_000;
export const MAX_LIMIT = 1000;
export const MAX_POINTS = 2000;

const parseReadingsQuery = queryParser({
  city: z.string(),
  from: dateTime.optional(),
  to: dateTime.optional(),
  limit: integerIn(1, MAX_LIMIT).optional(),
  points: integerIn(1, MAX_POINTS).optional(),
});

type Selection =
  | { kind: 'raw'; city: City; from: Date; to: Date; readings: Reading[] }
  | { kind: 'bucketed'; city: City; from: Date; to: Date; bucketSeconds: number; buckets: ReadingBucket[] };

/** The readings of `GET /api/readings` and its CSV twin: raw, or bucketed when `points` is given. */
async function select(ctx: DashboardContext, query: unknown): Promise<Selection> {
  const params = parseReadingsQuery(query);
  const city = ctx.cities.find((c) => c.name === params.city);
  if (!city) throw new AppError('unknown_city', `parameter "city": unknown city "${params.city}"`);
  if (params.limit !== undefined && params.points !== undefined) {
    throw new AppError('invalid_parameter', 'parameters "limit" and "points" cannot be combined');
  }
  const to = params.to ?? new Date(ctx.clock.now());
  const from = params.from ?? new Date(to.getTime() - DAY_MS);
  if (from.getTime() > to.getTime()) {
    throw new AppError('invalid_parameter', 'parameter "from": must not be after "to"');
  }
  if (params.points !== undefined) {
    const points = params.points;
    const result = await ctx.guard.run('bucketed_readings', () =>
      ctx.repository.bucketedReadings({ city: city.name, from, to, points }),
    );
    return { kind: 'bucketed', city, from, to, ...result };
  }
  const limit = params.limit ?? 100;
  const readings = await ctx.guard.run('readings_in_range', () =>
    ctx.repository.readingsInRange({ city: city.name, from, to, limit }),
  );
  return { kind: 'raw', city, from, to, readings };
}

function* csvLines(selection: Selection): Generator<string> {
  if (selection.kind === 'raw') {
    yield csvRecord(['id', 'city', 'temperature', 'humidity', 'takenAt', 'observedAt', 'source']);
    for (const r of selection.readings) {
      yield csvRecord([r.id, r.city, r.temperature, r.humidity, r.takenAt, r.observedAt, r.source]);
    }
    return;
  }
  yield csvRecord([
    'bucketStart',
    'count',
    'temperatureAvg',
    'temperatureMin',
    'temperatureMax',
    'humidityAvg',
    'humidityMin',
    'humidityMax',
  ]);
  for (const b of selection.buckets) {
    yield csvRecord([
      b.bucketStart,
      b.count,
      b.temperatureAvg,
      b.temperatureMin,
      b.temperatureMax,
      b.humidityAvg,
      b.humidityMin,
      b.humidityMax,
    ]);
  }
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

  app.get('/api/readings', async (request) => {
    const selection = await select(ctx, request.query);
    const range = {
      city: selection.city.name,
      from: selection.from.toISOString(),
      to: selection.to.toISOString(),
    };
    if (selection.kind === 'raw') return { ...range, readings: selection.readings.map(toApiReading) };
    return { ...range, bucketSeconds: selection.bucketSeconds, buckets: selection.buckets };
  });

  app.get('/api/readings.csv', async (request, reply) => {
    const selection = await select(ctx, request.query);
    const day = selection.to.toISOString().slice(0, 10);
    const filename = `clima-${selection.city.name.replace(/[^\w-]+/g, '_')}-${day}.csv`;
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${filename}"`)
      .send(Readable.from(csvLines(selection)));
  });
}
