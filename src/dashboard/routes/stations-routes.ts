import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import type { Station } from '../../ingest/station.js';
import { toApiReading } from '../api-reading.js';
import type { DashboardContext } from '../dashboard-context.js';
import { dateTime, integerIn, noParameters, queryParser } from '../query-params.js';
import { MAX_LIMIT, MAX_POINTS } from './readings-routes.js';

const DAY_MS = 86_400_000;
/**
 * The longest range a station's chart (`points`) may span. Its buckets are computed from the
 * station's readings (the rollups are per city), so the work grows with the range: 31 days of a
 * station reporting every 10 s are 268,000 rows, a few hundred milliseconds on SQLite and under a
 * second on MariaDB. The page's longest range is 30 days.
 */
export const MAX_STATION_CHART_DAYS = 31;
const parseHistoryQuery = queryParser({
  from: dateTime.optional(),
  to: dateTime.optional(),
  limit: integerIn(1, MAX_LIMIT).optional(),
  points: integerIn(1, MAX_POINTS).optional(),
});

/** A station as the API shows it: never its token's hash. */
export type StationInfo = Pick<Station, 'name' | 'city'>;

/**
 * Stations beside cities: `GET /api/stations`, each configured station with its newest reading
 * (null before its first), and `GET /api/stations/:name/readings`, a station's history: its
 * readings newest first (`limit`, 100 by default), or with `points`, its chart: avg/min/max in at
 * most that many buckets, over at most `MAX_STATION_CHART_DAYS`.
 */
export function stationsRoutes(
  app: FastifyInstance,
  ctx: DashboardContext,
  stations: readonly StationInfo[],
): void {
  app.get('/api/stations', async (request) => {
    noParameters(request.query);
    const latest = await ctx.guard.run('latest_per_station', () =>
      ctx.repository.latestPerStation(stations.map((station) => station.name)),
    );
    const byStation = new Map(latest.map((reading) => [reading.station, reading]));
    return {
      stations: stations.map(({ name, city }) => {
        const reading = byStation.get(name);
        return { name, city, latest: reading === undefined ? null : toApiReading(reading) };
      }),
    };
  });

  app.get<{ Params: { name: string } }>('/api/stations/:name/readings', async (request, reply) => {
    const station = stations.find((s) => s.name === request.params.name);
    if (station === undefined) throw new AppError('not_found', `no station "${request.params.name}"`);
    const params = parseHistoryQuery(request.query);
    if (params.limit !== undefined && params.points !== undefined) {
      throw new AppError('invalid_parameter', 'parameters "limit" and "points" cannot be combined');
    }
    const to = params.to ?? new Date(ctx.clock.now());
    const from = params.from ?? new Date(to.getTime() - DAY_MS);
    if (from.getTime() > to.getTime()) {
      throw new AppError('invalid_parameter', 'parameter "from": must not be after "to"');
    }
    const answer = {
      station: station.name,
      city: station.city,
      from: from.toISOString(),
      to: to.toISOString(),
    };
    const { points } = params;
    if (points === undefined) {
      const query = { station: station.name, from, to, limit: params.limit ?? 100 };
      const readings = await ctx.guard.run('station_readings', () =>
        ctx.repository.stationReadingsInRange(query),
      );
      return { ...answer, readings: readings.map(toApiReading) };
    }
    if (to.getTime() - from.getTime() > MAX_STATION_CHART_DAYS * DAY_MS) {
      throw new AppError(
        'invalid_parameter',
        `parameter "from": a station's chart spans at most ${MAX_STATION_CHART_DAYS} days (its buckets are computed from its readings)`,
      );
    }
    const key = JSON.stringify(['station', station.name, answer.from, answer.to, points]);
    const json = await ctx.readings.chartJson(key, async () => {
      const query = { station: station.name, from, to, points };
      const bucketed = await ctx.guard.run('station_buckets', () =>
        ctx.repository.stationBucketedReadings(query),
      );
      return { ...answer, ...bucketed };
    });
    return reply.type('application/json; charset=utf-8').send(json);
  });
}
