import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureCooldownMs, parseRetryAfter, retryDelayMs } from '../../src/weather/backoff.js';

describe('backoff', () => {
  it('grows retry delays from 500 ms to a 4 s cap, jittered within the upper half of each step', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((attempt) => retryDelayMs(attempt, () => 0)),
      [250, 500, 1000, 2000, 2000, 2000],
    );
    assert.deepEqual(
      [0, 1, 2, 3, 4, 10].map((attempt) => retryDelayMs(attempt, () => 0.999999)),
      [500, 1000, 2000, 4000, 4000, 4000],
    );
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    const now = Date.parse('2026-08-20T14:52:13Z');
    assert.equal(parseRetryAfter('30', now), 30_000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 20 Aug 2026 14:53:13 GMT', now), 60_000);
    assert.equal(parseRetryAfter('Thu, 20 Aug 2026 14:00:00 GMT', now), 0, 'a date in the past means now');
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });

  it('cools down 60 s after a failure, doubling to 15 min', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 50].map((failures) => failureCooldownMs(failures) / 60_000),
      [1, 2, 4, 8, 15, 15, 15],
    );
  });
});
