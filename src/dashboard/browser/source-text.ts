import { sourceLabel } from '../page/source-badge.js';
import type { PageText } from './page-text.js';

/** The server's label of a source; a source it does not know is shown as the API named it. */
export const sourceText = (source: string, text: PageText): string =>
  source === 'open-meteo' || source === 'simulated' || source === 'device'
    ? sourceLabel(source, text.lang)
    : String(source);
