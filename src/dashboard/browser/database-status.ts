import { fill } from '../page/messages.js';
import type { PageText } from './page-text.js';

export interface DatabaseStatus {
  up(): void;
  /** `since`: when the dashboard saw the database go, if it said; else when this page noticed. */
  down(since?: string): void;
}

/** `#db-status` in the header. */
export function createDatabaseStatus(element: HTMLElement, text: PageText): DatabaseStatus {
  const line = element.querySelector('[data-role="text"]') as HTMLElement;
  return {
    up() {
      element.dataset.state = 'up';
      delete element.dataset.since;
      line.textContent = text.messages.dbUp;
    },
    down(since) {
      if (element.dataset.state !== 'down' || !element.dataset.since || since) {
        element.dataset.state = 'down';
        element.dataset.since = since || new Date().toISOString();
      }
      line.textContent = fill(text.messages.dbDown, {
        time: text.time(element.dataset.since as string, 'minutes'),
      });
    },
  };
}
