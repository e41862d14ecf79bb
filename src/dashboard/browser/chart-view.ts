import type { ChartView } from '../page/page-model.js';

/** The view the charts' form has chosen: one city, all cities or one station. */
export function chosenView(form: HTMLFormElement): ChartView {
  const inputs = Array.from(form.querySelectorAll<HTMLInputElement>('input[name="chart-view"]'));
  const value = inputs.find((input) => input.checked)?.value;
  return value === 'compare' || value === 'station' ? value : 'city';
}

/**
 * Shows the elements of `#charts` that belong to `view` (their `data-view` names it among
 * others) and hides the rest, as the server rendered them for the view it was asked.
 */
export function showView(section: HTMLElement, view: ChartView): void {
  for (const element of Array.from(section.querySelectorAll<HTMLElement>('[data-view]'))) {
    element.hidden = !(element.dataset.view ?? '').split(' ').includes(view);
  }
}
