import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../core/app-error.js';
import type { DashboardContext } from '../dashboard-context.js';
import { queryParser } from '../query-params.js';

const parseWeatherQuery = queryParser({ city: z.string() });

export function weatherRoute(app: FastifyInstance, ctx: DashboardContext): void {
  app.get('/api/weather', async (request) => {
    const params = parseWeatherQuery(request.query);
    const city = ctx.cities.find((c) => c.name === params.city);
    if (!city) throw new AppError('unknown_city', `parameter "city": unknown city "${params.city}"`);
    const weather = await ctx.liveWeather.current(city);
    return { ...weather, source: 'open-meteo' as const };
  });
}
