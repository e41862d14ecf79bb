import { csvHref, isoSeconds } from '../page/csv-href.js';
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
 * The page's state (language, city, range, view, and a zoom of the charts) lives in its address,
 * in the order the server writes it, so a reload or a bookmark shows the same page; the language
 * links and the city form carry it too. The CSV link asks for the raw readings of what is shown,
 * ending at the moment of the click (every city's in the all-cities view), or the span zoomed into.
 */
export function startPageState(): PageState | undefined {
  const section = document.getElementById('charts');
  const form = section?.querySelector('form');
  if (!form) return undefined;
  const citySelect = form.querySelector('select');
  const csvLink = document.getElementById('csv-link');
  let zoom = zoomOf(location.search);
  const checked = (name: string) =>
    Array.from(form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]`)).find(
      (input) => input.checked,
    );
  const state = () => {
    const range = checked('chart-range');
    const view = checked('chart-view');
    return {
      lang: document.body.dataset.lang || '',
      city: citySelect ? citySelect.value : '',
      range: range ? range.value : '',
      rangeS: range ? Number(range.dataset.seconds) : 86400,
      view: view ? view.value : 'city',
    };
  };
  type State = ReturnType<typeof state>;
  const query = ({ lang, city, range, view }: State) => {
    const params = new URLSearchParams({ lang, city, range, view });
    if (zoom) {
      params.set('from', isoSeconds(new Date(zoom.fromS * 1000)));
      params.set('to', isoSeconds(new Date(zoom.toS * 1000)));
    }
    return params.toString();
  };

  function pointCsvLink(): void {
    if (!csvLink) return;
    const { city, rangeS, view } = state();
    const shownCity = view === 'compare' ? undefined : city;
    const href = zoom
      ? csvHref(shownCity, new Date(zoom.toS * 1000), zoom.toS - zoom.fromS)
      : csvHref(shownCity, new Date(Math.floor(Date.now() / 1000) * 1000), rangeS);
    csvLink.setAttribute('href', href);
  }

  function update(): void {
    const now = state();
    history.replaceState(history.state, '', `?${query(now)}${location.hash}`);
    for (const link of Array.from(document.body.querySelectorAll('.lang-switch a[hreflang]'))) {
      link.setAttribute('href', `?${query({ ...now, lang: link.getAttribute('hreflang') ?? '' })}`);
    }
    const weatherForm = document.getElementById('weather')?.querySelector('form');
    for (const name of ['range', 'view'] as const) {
      weatherForm?.querySelector(`input[name="${name}"]`)?.setAttribute('value', now[name]);
    }
    pointCsvLink();
  }

  form.addEventListener('change', () => {
    // Another city, range or view is shown whole: the charts drop their zoom too.
    zoom = undefined;
    update();
  });
  // Any way of following the link (a click, a middle click, "save link as") gets the range up to now.
  for (const type of ['click', 'auxclick', 'contextmenu']) csvLink?.addEventListener(type, pointCsvLink);
  update();
  return {
    zoom,
    setZoom(next) {
      zoom = next;
      update();
    },
  };
}
