import { ManualClock } from '../../src/core/clock.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';
import {
  createOpenMeteoSource,
  type OpenMeteoSource,
  type OpenMeteoSourceOptions,
} from '../../src/weather/open-meteo-source.js';
import { captureLogger, type LogLine } from '../support/capture-logger.js';
import { type FakeOpenMeteo, startFakeOpenMeteo } from '../support/fake-open-meteo.js';

/** 14:52:13 UTC: inside the 14:45 period, like the fixtures. */
export const START = Date.parse('2026-08-20T14:52:13Z');

export const [BOGOTA, MEDELLIN, CALI] = DEFAULT_CITIES as [
  (typeof DEFAULT_CITIES)[number],
  (typeof DEFAULT_CITIES)[number],
  (typeof DEFAULT_CITIES)[number],
];

/** An Open-Meteo source wired to a fresh fake server, a manual clock, captured logs and a no-wait sleep. */
export interface Harness {
  readonly clock: ManualClock;
  readonly fake: FakeOpenMeteo;
  readonly source: OpenMeteoSource;
  readonly logs: LogLine[];
  readonly logText: () => string;
  /** Every delay the source asked to sleep, in order. */
  readonly sleeps: number[];
  close(): Promise<void>;
}

export async function startHarness(options: Partial<OpenMeteoSourceOptions> = {}): Promise<Harness> {
  const clock = new ManualClock(START);
  const fake = await startFakeOpenMeteo({ clock });
  const { logger, lines } = captureLogger();
  const text = () => lines.map((line) => JSON.stringify(line)).join('\n');
  const sleeps: number[] = [];
  const source = createOpenMeteoSource({
    baseUrl: fake.url,
    clock,
    logger,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return {
    clock,
    fake,
    source,
    logs: lines,
    logText: text,
    sleeps,
    close: () => fake.close(),
  };
}

/** pino's level numbers. */
export const WARN = 40;
export const INFO = 30;
