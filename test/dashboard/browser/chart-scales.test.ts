import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  collectingSince,
  latestIndexes,
  maxTicksFor,
  timeRange,
  valueAxis,
} from '../../../src/dashboard/browser/chart-scales.js';

const TEMPERATURE = { precision: 0.1, maxTicks: 5 };
const HUMIDITY = { precision: 1, bounds: [0, 100] as [number, number], maxTicks: 5 };

describe('the value axis of a chart', () => {
  it('pads 17.5 to 17.6 °C by one tenth each side, with round ticks of one decimal', () => {
    assert.deepEqual(valueAxis(17.5, 17.6, TEMPERATURE), {
      min: 17.4,
      max: 17.7,
      ticks: [17.4, 17.5, 17.6, 17.7],
      labels: ['17.4', '17.5', '17.6', '17.7'],
    });
  });

  it('gives averages between readings the ticks of the readings, never 17.575', () => {
    assert.deepEqual(valueAxis(17.525, 17.575, TEMPERATURE)?.labels, ['17.4', '17.5', '17.6', '17.7']);
  });

  it('draws a constant series as a flat line in the middle', () => {
    assert.deepEqual(valueAxis(17.5, 17.5, TEMPERATURE)?.ticks, [17.4, 17.5, 17.6]);
  });

  it('chooses steps of 1, 2 or 5 times a power of ten, as few decimals as the step needs', () => {
    assert.deepEqual(valueAxis(10.2, 27.9, { precision: 0.1, maxTicks: 6 }), {
      min: 5,
      max: 30,
      ticks: [5, 10, 15, 20, 25, 30],
      labels: ['5', '10', '15', '20', '25', '30'],
    });
    assert.deepEqual(valueAxis(17.1, 18.3, { precision: 0.1, maxTicks: 7 })?.labels, [
      '17.0',
      '17.5',
      '18.0',
      '18.5',
    ]);
  });

  it('crosses zero without a -0', () => {
    assert.deepEqual(valueAxis(-2.3, 1.4, { precision: 0.1, maxTicks: 6 })?.labels, [
      '-3',
      '-2',
      '-1',
      '0',
      '1',
      '2',
    ]);
  });

  it('keeps humidity within 0-100 %, in whole percent', () => {
    assert.deepEqual(valueAxis(99, 100, HUMIDITY)?.ticks, [98, 99, 100]);
    assert.deepEqual(valueAxis(100, 100, HUMIDITY)?.ticks, [99, 100]);
    assert.deepEqual(valueAxis(0, 2, HUMIDITY)?.ticks, [0, 1, 2, 3]);
    assert.deepEqual(valueAxis(3, 98, HUMIDITY), {
      min: 0,
      max: 100,
      ticks: [0, 50, 100],
      labels: ['0', '50', '100'],
    });
    assert.deepEqual(valueAxis(62, 64.5, HUMIDITY)?.labels, ['60', '62', '64', '66']);
  });

  it('has no axis without data', () => {
    assert.equal(valueAxis(null, null, TEMPERATURE), undefined);
  });

  it('fits more ticks in a taller chart, never crowding them closer than 28 px', () => {
    assert.equal(maxTicksFor(180), 5);
    assert.equal(maxTicksFor(240), 7);
  });
});

describe('a chart of less data than its range', () => {
  const now = 1_800_000_000;
  const day = 86_400;

  it('is collecting since the first reading when that came well after the range began', () => {
    assert.equal(collectingSince(now - 600, now - day, 300), now - 600);
  });

  it('is a full range when the data starts within the slack of its beginning, or there is none', () => {
    assert.equal(collectingSince(now - day + 200, now - day, 300), undefined);
    assert.equal(collectingSince(Number.POSITIVE_INFINITY, now - day, 300), undefined);
  });

  it('spans the data there is while collecting, the whole range otherwise', () => {
    assert.deepEqual(timeRange(now, now - 10, day, now - 600, 150), [now - 600, now]);
    assert.deepEqual(timeRange(now, now - 10, day, undefined, 150), [now - day, now]);
  });

  it('spans at least the minimum while the first reading is seconds old', () => {
    assert.deepEqual(timeRange(now, now - 5, day, now - 5, 150), [now - 150, now]);
  });

  it('is the whole range again once collecting has lasted longer than the range', () => {
    assert.deepEqual(timeRange(now, now, 3600, now - 7200, 150), [now - 3600, now]);
  });

  it('ends at the newest reading when it is ahead of this clock', () => {
    assert.deepEqual(timeRange(now, now + 30, 3600, undefined, 150), [now + 30 - 3600, now + 30]);
  });
});

describe('the legend while nothing is hovered', () => {
  it('shows each series at its newest value, and the time of the newest of them', () => {
    const data = [
      [1, 2, 3, 4],
      [5, null, 7, null],
      [null, 1, 2, 3],
    ];
    assert.deepEqual(latestIndexes(data), [3, 2, 3]);
  });

  it('shows nothing for a series without values', () => {
    assert.deepEqual(
      latestIndexes([
        [1, 2],
        [null, null],
        [3, 4],
      ]),
      [1, null, 1],
    );
  });
});
