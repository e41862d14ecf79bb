import { csvHref, isoSeconds } from '../page/csv-href.js';
import { stationHistoryHref } from '../page/station-href.js';
import { chosenView, showView } from './chart-view.js';
import type { Zoom } from './charts.js';

export interface PageState {
  /** The zoom the address asked for, if any. */
  readonly zoom: Zoom | undefined;
  /** A zoom of the charts (or its reset): the address, the language links and the CSV link follow. */
  setZoom(zoom: Zoom | undefined): void;
}

/** `from` and `to` of the address, when they make a span: the charts' zoom across a reload. */
function zoomOf(search: string): Zoom | undefined {
  const params = new URLSearchParams(search);
  const fromS = Date.parse(params.get('from') ?? '') / 1000;
  const toS = Date.parse(params.get('to') ?? '') / 1000;
  return Number.isFinite(fromS) && Number.isFinite(toS) && toS > fromS ? { fromS, toS } : undefined;
}

/**
 * The page's state (language, city, range, view, the station in its view, and a zoom of the
 * charts) lives in its address, in the order the server writes it, so a reload or a bookmark shows
 * the same page; the language links, the city form and the stations' chart links carry it too.
 * The CSV link asks for the raw readings of what is shown, ending at the moment of the click
 * (every city's in the all-cities view), or the span zoomed into; in the station view, the
 * station's JSON link does the same.
 */
export function startPageState(): PageState | undefined {
  const section = document.getElementById('charts');
  const found = section?.querySelector('form');
  if (!section || !found) return undefined;
  const charts: HTMLElement = section;
  const form: HTMLFormElement = found;
  const citySelect = form.querySelector<HTMLSelectElement>('select[name="chart-city"]');
  const stationSelect = form.querySelector<HTMLSelectElement>('select[name="chart-station"]');
  const csvLink = document.getElementById('csv-link');
  const stationLink = document.getElementById('station-json-link');
  const chartLinks = Array.from(
    document.body.querySelectorAll<HTMLAnchorElement>('a[data-role="station-chart"]'),
  );
  let zoom = zoomOf(location.search);
  const checked = (name: string) =>
    Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)).find(
      (input) => input.checked,
    );
  const state = () => {
    const range = checked('chart-range');
    return {
      lang: document.body.dataset.lang || '',
      city: citySelect ? citySelect.value : '',
      range: range ? range.value : '',
      rangeS: range ? Number(range.dataset.seconds) : 86400,
      view: chosenView(form) as string,
      station: stationSelect ? stationSelect.value : '',
    };
  };
  type State = ReturnType<typeof state>;
  const query = ({ lang, city, range, view, station }: State) => {
    const params = new URLSearchParams({ lang, city, range, view });
    if (view === 'station' && station) params.set('station', station);
    if (zoom) {
      params.set('from', isoSeconds(new Date(zoom.fromS * 1000)));
      params.set('to', isoSeconds(new Date(zoom.toS * 1000)));
    }
    return params.toString();
  };

  function pointCsvLink(): void {
    const { city, rangeS, view, station } = state();
    const shownCity = view === 'compare' ? undefined : city;
    const to = new Date(zoom ? zoom.toS * 1000 : Math.floor(Date.now() / 1000) * 1000);
    const seconds = zoom ? zoom.toS - zoom.fromS : rangeS;
    csvLink?.setAttribute('href', csvHref(shownCity, to, seconds));
    if (station) stationLink?.setAttribute('href', stationHistoryHref(station, { to, seconds }));
  }

  function update(): void {
    const now = state();
    history.replaceState(history.state, '', `?${query(now)}${location.hash}`);
    for (const link of Array.from(document.body.querySelectorAll('.lang-switch a[hreflang]'))) {
      link.setAttribute('href', `?${query({ ...now, lang: link.getAttribute('hreflang') ?? '' })}`);
    }
    const weatherForm = document.getElementById('weather')?.querySelector('form');
    for (const name of ['range', 'view', 'station'] as const) {
      weatherForm?.querySelector(`input[name="${name}"]`)?.setAttribute('value', now[name]);
    }
    const stationInput = weatherForm?.querySelector<HTMLInputElement>('input[name="station"]');
    if (stationInput) stationInput.disabled = now.view !== 'station';
    for (const link of chartLinks) {
      const name = link.dataset.station ?? '';
      link.setAttribute('href', `?${query({ ...now, view: 'station', station: name })}#charts`);
      if (now.view === 'station' && now.station === name) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
    showView(charts, chosenView(form));
    pointCsvLink();
  }

  /**
   * A station's chart link, followed in place: the charts switch to it and come into view, the
   * station picker focused.
   */
  function showStation(event: MouseEvent, name: string): void {
    const station = stationSelect && Array.from(stationSelect.options).find((o) => o.value === name);
    const radio = form.querySelector<HTMLInputElement>('input[name="chart-view"][value="station"]');
    // A click meant for a new tab or window, or a station the picker lacks, follows the link.
    if (!station || !radio || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    station.selected = true;
    radio.checked = true;
    form.dispatchEvent(new Event('change'));
    charts.scrollIntoView({ block: 'start' });
    // Where a keyboard user continues: the picker of the station now shown.
    stationSelect.focus({ preventScroll: true });
  }

  form.addEventListener('change', () => {
    // Another city, range or view is shown whole: the charts drop their zoom too.
    zoom = undefined;
    update();
  });
  // Any way of following the link (a click, a middle click, "save link as") gets the range up to now.
  for (const type of ['click', 'auxclick', 'contextmenu']) {
    csvLink?.addEventListener(type, pointCsvLink);
    stationLink?.addEventListener(type, pointCsvLink);
  }
  for (const link of chartLinks) {
    link.addEventListener('click', (event) => showStation(event, link.dataset.station ?? ''));
  }
  update();
  return {
    zoom,
    setZoom(next) {
      zoom = next;
      update();
    },
  };
}
