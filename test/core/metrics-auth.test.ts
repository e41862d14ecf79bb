import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsAuth } from '../../src/core/metrics-auth.js';

const TOKEN = 'c0ffee-metrics-token';

describe('metricsAuth', () => {
  it('serves every request when no token is configured', () => {
    const refuse = metricsAuth(undefined);
    assert.equal(refuse(undefined), undefined);
    assert.equal(refuse('Bearer anything'), undefined);
  });

  it('serves a request bearing the token, whatever the case of the scheme', () => {
    const refuse = metricsAuth(TOKEN);
    assert.equal(refuse(`Bearer ${TOKEN}`), undefined);
    assert.equal(refuse(`bearer ${TOKEN}`), undefined);
  });

  it('refuses a request without a bearer token with 401, a Bearer challenge and a JSON reason', () => {
    const refuse = metricsAuth(TOKEN);
    for (const header of [undefined, '', 'Bearer', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`]) {
      const refusal = refuse(header);
      assert.equal(refusal?.status, 401, String(header));
      assert.equal(refusal?.headers['www-authenticate'], 'Bearer realm="clima"');
      assert.equal(refusal?.body.error.code, 'unauthorized');
      assert.match(refusal?.body.error.message ?? '', /Authorization: Bearer/);
    }
  });

  it('refuses a wrong token, a prefix of the token and the token with more after it as invalid_token', () => {
    const refuse = metricsAuth(TOKEN);
    for (const presented of ['wrong', TOKEN.slice(0, -1), `${TOKEN}x`, `${TOKEN} extra`]) {
      const refusal = refuse(`Bearer ${presented}`);
      assert.equal(refusal?.status, 401, presented);
      assert.match(refusal?.headers['www-authenticate'] ?? '', /^Bearer .*error="invalid_token"/);
      assert.doesNotMatch(JSON.stringify(refusal), new RegExp(TOKEN), 'the token is never echoed');
    }
  });
});
