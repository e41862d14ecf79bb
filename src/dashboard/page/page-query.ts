import type { PageModel } from './page-model.js';

/**
 * The page's state as its address says it, in the order the script writes it too: the language
 * switch and a reload keep the city, the range and the view, and the station in its view.
 */
export function pageQuery(
  model: Pick<PageModel, 'lang' | 'selectedCity' | 'chartRange' | 'chartView' | 'selectedStation'>,
): string {
  const query = new URLSearchParams({
    lang: model.lang,
    city: model.selectedCity,
    range: model.chartRange,
    view: model.chartView,
  });
  if (model.chartView === 'station' && model.selectedStation !== undefined) {
    query.set('station', model.selectedStation);
  }
  return query.toString();
}
