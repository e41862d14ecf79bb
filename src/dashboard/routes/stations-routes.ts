import type { FastifyInstance } from 'fastify';
import { AppError } from '../../core/app-error.js';
import type { Station } from '../../ingest/station.js';
import { toApiReading } from '../api-reading.js';
import type { DashboardContext } from '../dashboard-context.js';
import { dateTime, integerIn, noParameters, queryParser } from '../query-params.js';
import { MAX_LIMIT } from './readings-routes.js';

const DAY_MS = 86_400_000;
const parseHistoryQuery = queryParser({
  from: dateTime.optional(),
  to: dateTime.optional(),
  limit: integerIn(1, MAX_LIMIT).optional(),
});

/** A station as the API shows it: never its token's hash. */
export type StationInfo = Pick<Station, 'name' | 'city'>;

/**
 * Stations beside cities: `GET /api/stations`, each configured station with its newest reading
 * (null before its first), and `GET /api/stations/:name/readings`, a station's history, newest first.
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

  app.get<{ Params: { name: string } }>('/api/stations/:name/readings', async (request) => {
    const station = stations.find((s) => s.name === request.params.name);
    if (station === undefined) throw new AppError('not_found', `no station "${request.params.name}"`);
    const params = parseHistoryQuery(request.query);
    const to = params.to ?? new Date(ctx.clock.now());
    const from = params.from ?? new Date(to.getTime() - DAY_MS);
    if (from.getTime() > to.getTime()) {
      throw new AppError('invalid_parameter', 'parameter "from": must not be after "to"');
    }
    const query = { station: station.name, from, to, limit: params.limit ?? 100 };
    const readings = await ctx.guard.run('station_readings', () =>
      ctx.repository.stationReadingsInRange(query),
    );
    return {
      station: station.name,
      city: station.city,
      from: from.toISOString(),
      to: to.toISOString(),
      readings: readings.map(toApiReading),
    };
  });
}
