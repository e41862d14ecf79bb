import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { createMetrics, type UpstreamCounts, watchUpstream } from '../../src/core/metrics.js';
import type { OutboxStatus } from '../../src/outbox/edge-outbox.js';
import { watchOutbox } from '../../src/outbox/outbox-metrics.js';

describe('metrics read at scrape time', () => {
  it("exposes the outbox's depth, oldest age and totals as they are at each scrape", async () => {
    const metrics = createMetrics();
    const clock = new ManualClock(Date.parse('2026-01-02T03:05:05Z'));
    let status: OutboxStatus = {
      depth: 1234,
      oldestTakenAt: new Date('2026-01-02T03:04:05Z'),
      sentTotal: 99,
      droppedTotal: 7,
      lostTotal: 40,
      lastFlushAt: undefined,
      lastFlushError: undefined,
      failures: [{ store: 'outbox', problem: 'storage-full', since: new Date('2026-01-02T03:05:00Z') }],
      embedded: true,
    };
    watchOutbox(metrics, () => status, clock);
    let text = await metrics.registry.metrics();
    assert.match(text, /^clima_outbox_depth 1234$/m);
    assert.match(text, /^clima_outbox_oldest_age_seconds 60$/m);
    assert.match(text, /^clima_outbox_sent_total 99$/m);
    assert.match(text, /^clima_outbox_dropped_total 7$/m);
    assert.match(text, /^clima_readings_lost_total 40$/m);
    assert.match(text, /^clima_stores_failing 1$/m);
    status = { ...status, depth: 0, oldestTakenAt: undefined, sentTotal: 1333, failures: [] };
    text = await metrics.registry.metrics();
    assert.match(text, /^clima_outbox_depth 0$/m);
    assert.match(text, /^clima_outbox_oldest_age_seconds 0$/m);
    assert.match(text, /^clima_outbox_sent_total 1333$/m);
    assert.match(text, /^clima_stores_failing 0$/m);
    assert.match(text, /^# TYPE clima_outbox_sent_total counter$/m);
  });

  it("exposes an upstream's counts under its label", async () => {
    const metrics = createMetrics();
    let counts: UpstreamCounts = { requests: 5, failures: 2, callsToday: 35, up: false };
    watchUpstream(metrics, 'open-meteo', () => counts);
    let text = await metrics.registry.metrics();
    assert.match(text, /^clima_upstream_requests_total\{upstream="open-meteo"\} 5$/m);
    assert.match(text, /^clima_upstream_failures_total\{upstream="open-meteo"\} 2$/m);
    assert.match(text, /^clima_upstream_calls_today\{upstream="open-meteo"\} 35$/m);
    assert.match(text, /^clima_upstream_up\{upstream="open-meteo"\} 0$/m);
    counts = { ...counts, requests: 6, up: true };
    text = await metrics.registry.metrics();
    assert.match(text, /^clima_upstream_requests_total\{upstream="open-meteo"\} 6$/m);
    assert.match(text, /^clima_upstream_up\{upstream="open-meteo"\} 1$/m);
    assert.match(text, /^# TYPE clima_upstream_calls_today gauge$/m);
  });
});
