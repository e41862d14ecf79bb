import type { Config } from '../config/load-config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Database } from '../db/open-db.js';
import { createReadingsRepository } from '../db/readings-repository.js';
import { createSchemaGuard } from '../db/schema-guard.js';
import type { ReadingStore } from '../sensor/reading-store.js';
import { createSensor } from '../sensor/sensor.js';
import { createAutoSource } from '../weather/auto-source.js';
import { dailyBudgetWarning } from '../weather/budget.js';
import type { WeatherSource } from '../weather/observation.js';
import { createOpenMeteoSource } from '../weather/open-meteo-source.js';
import { createSimulatedSource } from '../weather/simulated-source.js';
import type { Service } from './run-until-signal.js';

interface Deps {
  readonly config: Config;
  readonly db: Database;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The weather source SENSOR_SOURCE asks for. */
export function createWeatherSource({ config, clock, logger }: Omit<Deps, 'db'>): WeatherSource {
  const simulated = () => createSimulatedSource({ seed: config.sensor.seed, clock });
  const openMeteo = () =>
    createOpenMeteoSource({
      baseUrl: config.openMeteo.url,
      timeoutMs: config.openMeteo.timeoutMs,
      clock,
      logger: logger.child({ component: 'open-meteo' }),
    });
  switch (config.sensor.source) {
    case 'simulated':
      return simulated();
    case 'open-meteo':
      return openMeteo();
    case 'auto':
      return createAutoSource({ primary: openMeteo(), fallback: simulated(), logger });
  }
}

export function createSensorService(deps: Deps): Service {
  const { config, db, clock } = deps;
  const logger = deps.logger.child({ component: 'sensor' });
  const schema = createSchemaGuard(db, logger);
  const repository = createReadingsRepository(db);
  const store: ReadingStore = {
    async insertBatch(readings) {
      await schema.ensure();
      return repository.insertBatch([...readings]);
    },
  };
  const sensor = createSensor({
    source: createWeatherSource({ config, clock, logger }),
    store,
    cities: config.cities,
    intervalS: config.sensor.intervalS,
    clock,
    logger,
  });
  return {
    name: 'sensor',
    async start() {
      if (config.sensor.source !== 'simulated') {
        const warning = dailyBudgetWarning(config.cities.length, config.sensor.intervalS);
        if (warning) logger.warn(warning);
      }
      await schema.atStartUp();
      sensor.start();
    },
    stop: () => sensor.stop(),
  };
}
