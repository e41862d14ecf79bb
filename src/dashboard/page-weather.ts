import type { Clock } from '../core/clock.js';
import type { City } from '../weather/city.js';
import type { LiveWeatherService } from './live-weather.js';
import type { LiveWeather } from './page/page-model.js';

interface CityWeather {
  tick: number;
  answer: Promise<void>;
  settled: boolean;
  observation: LiveWeather | undefined;
  /** False from a failed or late answer until the next answer that comes. */
  answering: boolean;
}

/**
 * Live weather for the page, asked at most once per city and interval (the page is built once per
 * interval, and Open-Meteo's values change more slowly still). A page waits for it only while
 * Open-Meteo answers in time: after a failed or late answer, pages are built at once without it
 * until an answer comes back, so an unreachable Open-Meteo never delays the readings.
 */
export function createPageWeather(deps: {
  liveWeather: LiveWeatherService;
  clock: Clock;
  intervalS: number;
  /** The longest a page waits for an answer that is usually instant (Open-Meteo's cache). */
  waitMs: number;
}) {
  const cities = new Map<string, CityWeather>();

  function ask(city: City, weather: CityWeather): void {
    weather.settled = false;
    // An answer that comes after the next interval's question is not the current one.
    const current = () => weather.answer === answer;
    const answer: Promise<void> = deps.liveWeather
      .current(city)
      .then(
        (observation) => {
          if (!current()) return;
          weather.observation = observation;
          weather.answering = true;
        },
        () => {
          if (!current()) return;
          weather.observation = undefined;
          weather.answering = false;
        },
      )
      .finally(() => {
        if (current()) weather.settled = true;
      });
    weather.answer = answer;
  }

  return {
    /** This interval's weather of `city`; waits (briefly) for its answer only while answers come. */
    async observation(city: City): Promise<LiveWeather | undefined> {
      const tick = Math.floor(deps.clock.now() / (deps.intervalS * 1000));
      let weather = cities.get(city.name);
      if (!weather) {
        weather = { tick, answer: Promise.resolve(), settled: true, observation: undefined, answering: true };
        cities.set(city.name, weather);
        ask(city, weather);
      } else if (weather.tick !== tick) {
        weather.tick = tick;
        ask(city, weather);
      }
      if (!weather.settled && weather.answering) {
        const answer = weather.answer;
        const late = await within(answer, deps.waitMs);
        if (late && weather.answer === answer && !weather.settled) weather.answering = false;
      }
      return weather.observation;
    },
  };
}

/** Waits for `promise` at most `ms`; true when the time ran out first. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  return Promise.race([promise.then(() => false), late]).finally(() => clearTimeout(timer));
}
