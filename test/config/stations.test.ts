import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runClima } from '../support/run-clima.js';

const HASH = 'a'.repeat(64);
const station = (name: string, city = 'Manizales', tokenSha256 = HASH) => ({ name, city, tokenSha256 });

function stationsError(value: unknown): string {
  try {
    loadConfig({ STATIONS_FILE: '/etc/clima/stations.json' }, () =>
      typeof value === 'string' ? value : JSON.stringify(value),
    );
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.variable, 'STATIONS');
    return error.message;
  }
  return assert.fail('expected the stations to be refused');
}

describe('STATIONS (STATIONS_FILE)', () => {
  it('reads the stations from the file, hashes in lowercase, other fields left for later', () => {
    const config = loadConfig({ STATIONS_FILE: '/etc/clima/stations.json' }, (path) => {
      assert.equal(path, '/etc/clima/stations.json');
      return JSON.stringify([
        { ...station('finca-1'), tokenSha256: 'AB'.repeat(32), model: 'ws-100' },
        station('Finca_2', 'Pereira'),
      ]);
    });
    assert.deepEqual(config.ingest.stations, [
      { name: 'finca-1', city: 'Manizales', tokenSha256: 'ab'.repeat(32) },
      { name: 'Finca_2', city: 'Pereira', tokenSha256: HASH },
    ]);
    assert.deepEqual(loadConfig({}).ingest, {
      stations: [],
      mqttUrl: undefined,
      mqttClientId: 'clima-ingest',
      ratePerMinute: 6000,
    });
  });

  const refused: [string, unknown, RegExp][] = [
    ['text that is not JSON', '[{"name": "finca-1",', /not JSON/],
    ['an object instead of an array', station('finca-1'), /not a JSON array/],
    [
      'a repeated name (in any case)',
      [station('finca-1'), station('FINCA-1')],
      /entry 2 \("FINCA-1"\): name repeats entry 1/,
    ],
    [
      'an MQTT wildcard in a name',
      [station('finca-1'), station('finca/+')],
      /entry 2 \("finca\/\+"\): name must be 1 to 64/,
    ],
    ['a "#" in a name', [station('a#')], /entry 1 \("a#"\): name/],
    ['an empty city', [station('finca-1', '')], /entry 1 \("finca-1"\): city must not be empty/],
    ['an untrimmed city', [station('finca-1', ' Cali')], /city must be trimmed/],
    [
      'a short token hash',
      [station('finca-1', 'Cali', 'abc')],
      /entry 1 \("finca-1"\): tokenSha256 must be the SHA-256/,
    ],
    ['a token hash that is not hex', [station('finca-1', 'Cali', 'g'.repeat(64))], /tokenSha256/],
    ['an entry without a name', [{ city: 'Cali', tokenSha256: HASH }], /entry 1: name/],
  ];
  for (const [what, value, reason] of refused) {
    it(`stops start-up naming the entry for ${what}`, () => {
      assert.match(stationsError(value), reason);
    });
  }

  it('refuses an MQTT_URL that is not a broker URL, and a client id a broker would not take', () => {
    assert.throws(() => loadConfig({ MQTT_URL: 'http://127.0.0.1:1883' }), /MQTT_URL/);
    assert.throws(() => loadConfig({ MQTT_CLIENT_ID: 'clima ingest' }), /MQTT_CLIENT_ID/);
    assert.equal(
      loadConfig({ MQTT_URL: 'mqtt://ingest:pw@127.0.0.1:1883' }).ingest.mqttUrl,
      'mqtt://ingest:pw@127.0.0.1:1883',
    );
  });
});

describe('clima with a bad STATIONS_FILE', () => {
  it('stops start-up with exit 2 naming the entry, for every service that reads stations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clima-stations-'));
    try {
      const file = join(dir, 'stations.json');
      writeFileSync(file, JSON.stringify([station('finca-1'), station('finca 2')]));
      for (const command of ['ingest', 'start']) {
        const { code, stderr } = await runClima([command], {
          env: { DATA_DIR: join(dir, 'data'), STATIONS_FILE: file, MQTT_URL: 'mqtt://127.0.0.1:1' },
        });
        assert.equal(code, 2, stderr);
        assert.match(
          stderr,
          /^clima: invalid configuration: STATIONS: .*entry 2 \("finca 2"\): name must be/,
        );
      }
      const { code, stderr } = await runClima(['ingest'], { env: { DATA_DIR: join(dir, 'data') } });
      assert.equal(code, 2);
      assert.match(stderr, /MQTT_URL: clima ingest needs the broker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
