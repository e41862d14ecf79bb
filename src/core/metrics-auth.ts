import { createHash, timingSafeEqual } from 'node:crypto';

/** Why a `/metrics` request was refused: what to answer, status 401. */
export interface MetricsRefusal {
  readonly status: 401;
  readonly headers: { readonly 'www-authenticate': string };
  readonly body: { readonly error: { readonly code: 'unauthorized'; readonly message: string } };
}

/**
 * The check of `/metrics` (the dashboard's and the sensor status server's) against METRICS_TOKEN:
 * given a request's `Authorization` header, the refusal to send, or undefined to serve the
 * metrics. Without a token (METRICS_TOKEN unset) every request is served.
 */
export function metricsAuth(
  token: string | undefined,
): (authorization: string | undefined) => MetricsRefusal | undefined {
  if (token === undefined) return () => undefined;
  const expected = digest(token);
  return (authorization) => {
    const presented = /^Bearer +(.*\S) *$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined)
      return refusal('Bearer realm="clima"', 'this endpoint needs Authorization: Bearer with METRICS_TOKEN');
    // Digests have one length whatever was sent, so the comparison takes the same time for any
    // wrong token and tells nothing of the right one's length or prefix.
    if (timingSafeEqual(digest(presented), expected)) return undefined;
    return refusal('Bearer realm="clima", error="invalid_token"', 'the bearer token is not METRICS_TOKEN');
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function refusal(challenge: string, message: string): MetricsRefusal {
  return {
    status: 401,
    headers: { 'www-authenticate': challenge },
    body: { error: { code: 'unauthorized', message } },
  };
}
