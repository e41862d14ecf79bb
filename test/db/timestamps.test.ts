import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  epochSecondsOf,
  epochSecondsToIso,
  fromSqlTimestamp,
  toSqlTimestamp,
} from '../../src/db/timestamps.js';

describe('timestamps', () => {
  it('stores an instant as UTC text to the second and reads it back as ISO 8601 with Z', () => {
    const stored = toSqlTimestamp(new Date('2024-03-01T07:08:09.999-05:00'));
    assert.equal(stored, '2024-03-01 12:08:09');
    assert.equal(fromSqlTimestamp(stored), '2024-03-01T12:08:09Z');
  });

  it('rounds up on request, for inclusive lower bounds', () => {
    assert.equal(toSqlTimestamp(new Date('2024-03-01T12:00:00.001Z'), 'ceil'), '2024-03-01 12:00:01');
    assert.equal(toSqlTimestamp(new Date('2024-03-01T12:00:00.000Z'), 'ceil'), '2024-03-01 12:00:00');
    assert.equal(epochSecondsOf(new Date('1970-01-01T00:00:01.5Z'), 'ceil'), 2);
    assert.equal(epochSecondsToIso(1709294400), '2024-03-01T12:00:00Z');
  });

  it('refuses invalid dates, years past 9999 and text that is not a stored timestamp', () => {
    assert.throws(() => toSqlTimestamp(new Date(Number.NaN)), RangeError);
    assert.throws(() => toSqlTimestamp(new Date('+010000-01-01T00:00:00Z')), RangeError);
    assert.throws(() => fromSqlTimestamp('2024-03-01T12:00:00Z'), TypeError);
    assert.throws(() => fromSqlTimestamp(new Date()), TypeError);
  });
});
