import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dailyBudgetWarning, estimateDailyCalls } from '../../src/weather/budget.js';

describe('Open-Meteo call budget', () => {
  it('estimates one call per city per 15-minute period, or per tick when ticks are longer', () => {
    assert.equal(estimateDailyCalls(7, 15), 672);
    assert.equal(estimateDailyCalls(7, 900), 672);
    assert.equal(estimateDailyCalls(7, 1800), 336);
    assert.equal(estimateDailyCalls(0, 15), 0);
  });

  it('has nothing to say about the default seven cities', () => {
    assert.equal(dailyBudgetWarning(7, 15), undefined);
  });

  it('warns when the daily estimate nears 10,000 calls', () => {
    assert.equal(dailyBudgetWarning(80, 15), undefined);
    assert.match(dailyBudgetWarning(90, 15) ?? '', /8640 calls per day against a limit of 10000/);
    assert.equal(dailyBudgetWarning(90, 3600), undefined);
  });

  it('counts every sensor sharing the address: two sensors of 50 cities spend what one of 100 would', () => {
    assert.equal(dailyBudgetWarning(50, 15), undefined);
    assert.match(
      dailyBudgetWarning(50, 15, 2) ?? '',
      /^Open-Meteo free tier at risk with 50 cities every 15 s from 2 sensors: about 9600 calls per day/,
    );
  });

  it('warns when one request would break the per-minute or per-request limits', () => {
    assert.match(dailyBudgetWarning(700, 86_400) ?? '', /600 per minute/);
    assert.match(dailyBudgetWarning(1001, 86_400) ?? '', /1000 locations/);
  });
});
