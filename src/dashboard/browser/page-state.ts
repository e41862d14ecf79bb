import { csvHref } from '../page/csv-href.js';

/**
 * The page's state (language, city, range, view) lives in its address, in the order the server
 * writes it, so a reload or a bookmark shows the same page; the language links and the city
 * form carry it too. The CSV link asks for the raw readings of what is shown, ending at the
 * moment of the click (every city's in the all-cities view).
 */
export function startPageState(): void {
  const section = document.getElementById('charts');
  const form = section?.querySelector('form');
  if (!form) return;
  const citySelect = form.querySelector('select');
  const csvLink = document.getElementById('csv-link');
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
  const query = ({ lang, city, range, view }: State) =>
    new URLSearchParams({ lang, city, range, view }).toString();

  function pointCsvLink(): void {
    if (!csvLink) return;
    const { city, rangeS, view } = state();
    const to = new Date(Math.floor(Date.now() / 1000) * 1000);
    csvLink.setAttribute('href', csvHref(view === 'compare' ? undefined : city, to, rangeS));
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

  form.addEventListener('change', update);
  // Any way of following the link (a click, a middle click, "save link as") gets the range up to now.
  for (const type of ['click', 'auxclick', 'contextmenu']) csvLink?.addEventListener(type, pointCsvLink);
  update();
}
