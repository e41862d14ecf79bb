import type { AlertTransition } from '../db/alerts-repository.js';
import { SYSTEM_SUBJECT } from './alert-rule.js';

/** The JSON a webhook receives for one transition. */
export interface AlertPayload {
  /**
   * The transition's id, the same on every attempt: delivery is at least once (a crash between a
   * receiver's 2xx and its record sends it again), so a receiver drops an id it has seen.
   */
  readonly id: string;
  readonly rule: string;
  /** The city (or station) the alert is about; null for a built-in rule. */
  readonly city: string | null;
  readonly state: string;
  readonly value: number | null;
  /** When the alert entered `state`, ISO 8601 UTC. */
  readonly since: string;
  /** The dashboard's page. */
  readonly url: string;
}

export function alertPayload(transition: AlertTransition, pageUrl: string): AlertPayload {
  return {
    id: `${transition.rule}/${transition.subject}/${transition.seq}`,
    rule: transition.rule,
    city: transition.subject === SYSTEM_SUBJECT ? null : transition.subject,
    state: transition.state,
    value: transition.value,
    since: new Date(transition.atMs).toISOString(),
    url: pageUrl,
  };
}

const WORDS = {
  en: {
    firing: 'FIRING',
    resolved: 'resolved',
    pending: 'pending',
    value: 'value',
    since: 'since',
    system: 'system',
  },
  es: {
    firing: 'ACTIVA',
    resolved: 'resuelta',
    pending: 'pendiente',
    value: 'valor',
    since: 'desde',
    system: 'sistema',
  },
} as const;

/** One line saying what happened, in `lang`: e-mail subjects, Slack messages, the page's banner. */
export function alertSummary(payload: AlertPayload, lang: 'es' | 'en'): string {
  const words = WORDS[lang];
  const state = words[payload.state as 'firing' | 'resolved' | 'pending'] ?? payload.state;
  const value = payload.value === null ? '' : `, ${words.value} ${payload.value}`;
  return `[clima] ${payload.rule} (${payload.city ?? words.system}): ${state}${value}, ${words.since} ${payload.since}`;
}
