import type { ReadingSource } from '../../weather/observation.js';
import { html, type SafeHtml } from './escape-html.js';
import { MESSAGES } from './messages.js';
import type { Lang } from './page-model.js';

/** The label of each source, on the page and in what its script adds. */
export function sourceLabel(source: ReadingSource, lang: Lang): string {
  const messages = MESSAGES[lang];
  switch (source) {
    case 'simulated':
      return messages.sourceSimulated;
    case 'device':
      return messages.sourceDevice;
    case 'open-meteo':
      return messages.sourceOpenMeteo;
  }
}

/** A badge whose colour and border tell real from simulated data, not its text alone. */
export function sourceBadge(source: ReadingSource, lang: Lang): SafeHtml {
  return html`<span class="badge badge-source" data-source="${source}">${sourceLabel(source, lang)}</span>`;
}
