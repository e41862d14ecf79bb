import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DEFAULT_CITIES } from '../../src/weather/city.js';

function failure(env: Record<string, string>, files: Record<string, string> = {}): ConfigError {
  try {
    loadConfig(env, (path) => {
      if (path in files) return files[path] as string;
      throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.dataDir, './data');
    assert.deepEqual(config.database, { dialect: 'sqlite', path: 'data/clima.db' });
    assert.equal(config.sensor.intervalS, 15);
    assert.equal(config.sensor.source, 'auto');
    assert.equal(config.openMeteo.url, 'https://api.open-meteo.com');
    assert.equal(config.openMeteo.timeoutMs, 5000);
    assert.deepEqual(config.dashboard, {
      host: '0.0.0.0',
      port: 5000,
      timeZone: 'America/Bogota',
      sensorStatusUrl: undefined,
    });
    assert.equal(config.sensor.statusPort, undefined, 'no sensor status server unless asked');
    assert.deepEqual(config.backup, { dir: './backups', intervalS: 600, keep: 144 });
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(
      config.cities.map((city) => city.name),
      ['Bogota', 'Medellin', 'Cali', 'Cartagena', 'Manizales', 'Pereira', 'Bucaramanga'],
    );
  });

  it('reads the backup folder, interval and retention', () => {
    const config = loadConfig({
      BACKUP_DIR: '/var/backups/clima',
      BACKUP_INTERVAL_S: '60',
      BACKUP_KEEP: '10',
    });
    assert.deepEqual(config.backup, { dir: '/var/backups/clima', intervalS: 60, keep: 10 });
  });

  it("reads the sensor's status port and the URL a dashboard asks it at", () => {
    const config = loadConfig({ SENSOR_PORT: '9464', SENSOR_STATUS_URL: 'http://10.0.0.2:9464/' });
    assert.equal(config.sensor.statusPort, 9464);
    assert.equal(config.dashboard.sensorStatusUrl, 'http://10.0.0.2:9464');
  });

  it('returns a frozen object, down to the cities', () => {
    const config = loadConfig({ CITIES: 'Quito:-0.18:-78.47' });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.sensor));
    assert.ok(Object.isFrozen(config.cities));
    assert.ok(Object.isFrozen(config.cities[0]));
  });

  it('puts the default SQLite file under DATA_DIR', () => {
    assert.deepEqual(loadConfig({ DATA_DIR: '/var/lib/clima' }).database, {
      dialect: 'sqlite',
      path: '/var/lib/clima/clima.db',
    });
  });

  it('reads a MySQL URL, and reads it from DATABASE_URL_FILE for secrets', () => {
    const url = 'mysql://clima_sensor:s%40cret@cloud.example:33060/clima';
    const direct = loadConfig({ DATABASE_URL: url }).database;
    const fromFile = loadConfig({ DATABASE_URL_FILE: '/run/secrets/db' }, () => `${url}\n`).database;
    assert.deepEqual(fromFile, direct);
    assert.equal(direct.dialect, 'mysql');
    if (direct.dialect === 'mysql') {
      assert.equal(direct.password, 's@cret');
      assert.equal(direct.port, 33060);
    }
  });

  it('reads METRICS_TOKEN, or from METRICS_TOKEN_FILE; unset, /metrics is open', () => {
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: 'abc123' }).metricsToken, 'abc123');
    const fromFile = loadConfig({ METRICS_TOKEN_FILE: '/run/secrets/metrics_token' }, () => 'f00d\n');
    assert.equal(fromFile.metricsToken, 'f00d');
  });

  it('refuses a METRICS_TOKEN with whitespace, or an empty token file, without echoing it', () => {
    for (const [env, files] of [
      [{ METRICS_TOKEN: 'two words' }, {}],
      [{ METRICS_TOKEN: ' ' }, {}],
      [{ METRICS_TOKEN_FILE: '/t' }, { '/t': '' }],
      [{ METRICS_TOKEN_FILE: '/t' }, { '/t': 'two words\n' }],
    ] as const) {
      const error = failure(env, files);
      assert.equal(error.variable, 'METRICS_TOKEN', JSON.stringify(env));
      assert.match(error.message, /expected a token without spaces/);
      assert.doesNotMatch(error.message, /two words/);
    }
  });

  it('replaces the default cities with CITIES', () => {
    const config = loadConfig({ CITIES: 'Quito:-0.1807:-78.4678, San José:9.93:-84.08' });
    assert.deepEqual(config.cities, [
      { name: 'Quito', latitude: -0.1807, longitude: -78.4678 },
      { name: 'San José', latitude: 9.93, longitude: -84.08 },
    ]);
    assert.notDeepEqual(config.cities, DEFAULT_CITIES);
  });

  for (const [env, variable] of [
    [{ SENSOR_INTERVAL_S: 'abc' }, 'SENSOR_INTERVAL_S'],
    [{ SENSOR_INTERVAL_S: '0' }, 'SENSOR_INTERVAL_S'],
    [{ SENSOR_INTERVAL_S: '1.5' }, 'SENSOR_INTERVAL_S'],
    [{ DATABASE_URL: 'postgres://x' }, 'DATABASE_URL'],
    [{ CITIES: 'Foo:999:0' }, 'CITIES'],
    [{ CITIES: 'Foo:1:2,foo:3:4' }, 'CITIES'],
    [{ CITIES: 'Foo:1' }, 'CITIES'],
    [{ SENSOR_SOURCE: 'magic' }, 'SENSOR_SOURCE'],
    [{ OPEN_METEO_URL: 'ftp://x' }, 'OPEN_METEO_URL'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DISPLAY_TIME_ZONE: 'Mars/Olympus' }, 'DISPLAY_TIME_ZONE'],
    [{ HOST: 'a b' }, 'HOST'],
    [{ BACKUP_DIR: ' ' }, 'BACKUP_DIR'],
    [{ BACKUP_INTERVAL_S: '0' }, 'BACKUP_INTERVAL_S'],
    [{ BACKUP_INTERVAL_S: '10m' }, 'BACKUP_INTERVAL_S'],
    [{ BACKUP_KEEP: '0' }, 'BACKUP_KEEP'],
    [{ SENSOR_PORT: '0' }, 'SENSOR_PORT'],
    [{ SENSOR_STATUS_URL: 'sensor:9464' }, 'SENSOR_STATUS_URL'],
  ] as const) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      const error = failure(env);
      assert.equal(error.variable, variable);
      assert.match(error.message, new RegExp(`^${variable}: expected `));
      assert.ok(!error.message.includes('\n'), 'the message is one line');
    });
  }

  it('says what was wrong with a city entry', () => {
    assert.match(failure({ CITIES: 'Foo:999:0' }).message, /latitude 999 is not a number from -90 to 90/);
  });

  it('never echoes a database password in an error', () => {
    const error = failure({ DATABASE_URL: 'postgres://admin:hunter2@db/x' });
    assert.doesNotMatch(error.message, /hunter2/);
  });

  it('refuses a variable set both directly and through _FILE', () => {
    const error = failure({ DATABASE_URL: 'sqlite:a.db', DATABASE_URL_FILE: '/x' }, { '/x': 'sqlite:b.db' });
    assert.equal(error.variable, 'DATABASE_URL');
  });

  it('names the _FILE variable when its file cannot be read', () => {
    const error = failure({ DATABASE_URL_FILE: '/run/secrets/missing' });
    assert.equal(error.variable, 'DATABASE_URL_FILE');
    assert.match(error.message, /ENOENT/);
  });
});
