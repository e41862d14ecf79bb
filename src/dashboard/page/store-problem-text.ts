import type { StoreProblem } from '../../db/connection-error.js';
import type { StoreFailure } from '../../outbox/store-health.js';
import { formatTime, type TimeContext } from './format.js';
import { fill, LANGS, MESSAGES, type MessageKey } from './messages.js';
import type { Lang } from './page-model.js';

const PROBLEM_KEYS: Readonly<Record<StoreProblem, MessageKey>> = {
  'access-denied': 'problemAccessDenied',
  unreachable: 'problemUnreachable',
  timeout: 'problemTimeout',
  'tls-failed': 'problemTlsFailed',
  'storage-full': 'problemStorageFull',
  'storage-failed': 'problemStorageFailed',
  failed: 'problemFailed',
};

/** A problem in words, for anyone: what the code means, never the driver's text. */
export function problemText(problem: StoreProblem, lang: Lang): string {
  return MESSAGES[lang][PROBLEM_KEYS[problem]];
}

/**
 * What a failing store means for the readings, and since when: a full outbox loses them, a full
 * database leaves them waiting in the outbox.
 */
export function storeFailureText(failure: StoreFailure, lang: Lang, context: TimeContext): string {
  const full = failure.problem === 'storage-full';
  const key: MessageKey =
    failure.store === 'outbox'
      ? full
        ? 'storageOutboxFull'
        : 'storageOutboxFailed'
      : full
        ? 'storageDatabaseFull'
        : 'storageDatabaseFailed';
  return fill(MESSAGES[lang][key], { time: formatTime(failure.since, context, 'minutes') });
}

/** A problem's sentence in every language, for the stream's `status` event; null when there is none. */
export function problemNotice(problem: StoreProblem | undefined): Readonly<Record<Lang, string>> | null {
  if (problem === undefined) return null;
  return Object.fromEntries(LANGS.map((lang) => [lang, problemText(problem, lang)])) as Record<Lang, string>;
}

/** The first failing store in every language, for the stream's `status` event; null when none fails. */
export function storageNotice(
  failures: readonly StoreFailure[],
  context: TimeContext,
): Readonly<Record<Lang, string>> | null {
  const [first] = failures;
  if (!first) return null;
  return Object.fromEntries(LANGS.map((lang) => [lang, storeFailureText(first, lang, context)])) as Record<
    Lang,
    string
  >;
}
