import { createHmac } from 'node:crypto';
import type { WebhookTarget } from '../config/alerts-file.js';
import { type AlertPayload, alertSummary } from './alert-message.js';

/** The header holding `sha256=` and the hex HMAC-SHA256 of the body, keyed with the target's secret. */
export const SIGNATURE_HEADER = 'x-clima-signature';
const TIMEOUT_MS = 10_000;

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** POSTs one notification; rejects unless the receiver answers 2xx. */
export async function sendWebhook(target: WebhookTarget, payload: AlertPayload): Promise<void> {
  const body = JSON.stringify(
    target.format === 'slack' ? { text: `${alertSummary(payload, 'en')} ${payload.url}` } : payload,
  );
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(body, target.secret);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a time-out) is its cause.
    const cause = (error as Error).cause as Error | undefined;
    throw new Error(`POST ${target.name}: ${cause?.message ?? (error as Error).message}`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`POST ${target.name}: answered ${response.status}`);
}
