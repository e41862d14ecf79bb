import { getJson } from './get-json.js';
import { humidityText, isNumber, type PageText, temperatureText } from './page-text.js';

interface Observation {
  readonly city: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly observedAt: string;
}

const isObservation = (body: unknown): body is Observation => {
  const o = body as Partial<Observation> | undefined;
  return !!o && typeof o.city === 'string' && isNumber(o.temperature) && isNumber(o.humidity);
};

/** `#weather` rendered without live weather: asks /api/weather until it answers, then fills it. */
export function retryWeather(panel: HTMLElement, text: PageText): void {
  const city = panel.dataset.city;
  const retryMs = (Number(panel.dataset.retryS) || 30) * 1000;
  // The page stops waiting for live weather before the weather call gives up, and the answer it
  // missed lands in the dashboard's short cache: one early try usually finds it there.
  const firstTryMs = Math.min(5000, retryMs);
  if (!city) return;
  const ok = panel.querySelector('[data-role="weather-ok"]') as HTMLElement;

  function show(observation: Observation): void {
    const field = (name: string) => ok.querySelector(`[data-field="${name}"]`) as HTMLElement;
    field('city').textContent = observation.city;
    field('temperature').textContent = temperatureText(observation.temperature);
    field('humidity').textContent = humidityText(observation.humidity);
    const observedAt = field('observedAt');
    const time = observedAt.querySelector('time') ?? observedAt.appendChild(document.createElement('time'));
    time.dateTime = String(observation.observedAt);
    time.textContent = text.time(observation.observedAt, 'minutes');
    ok.hidden = false;
    (panel.querySelector('[data-role="weather-unavailable"]') as HTMLElement).hidden = true;
    panel.dataset.state = 'ok';
  }

  const attempt = async () => {
    try {
      const answer = await getJson(`/api/weather?city=${encodeURIComponent(city)}`, retryMs);
      if (answer.status === 200 && isObservation(answer.body)) {
        show(answer.body);
        return;
      }
    } catch {
      // Unreachable or timed out: same as unavailable, try again later.
    }
    setTimeout(attempt, retryMs);
  };
  setTimeout(attempt, firstTryMs);
}
