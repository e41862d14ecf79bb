import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTarget, parseDatabaseUrl } from '../../src/db/database-url.js';

describe('parseDatabaseUrl', () => {
  it('reads sqlite:PATH and sqlite://PATH as relative unless the path starts with /', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:data/clima.db'), { dialect: 'sqlite', path: 'data/clima.db' });
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/clima.db'), {
      dialect: 'sqlite',
      path: './data/clima.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite://data/clima.db'), {
      dialect: 'sqlite',
      path: 'data/clima.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite:/var/lib/clima.db'), {
      dialect: 'sqlite',
      path: '/var/lib/clima.db',
    });
    assert.deepEqual(parseDatabaseUrl('sqlite:///var/lib/clima.db'), {
      dialect: 'sqlite',
      path: '/var/lib/clima.db',
    });
    assert.deepEqual(parseDatabaseUrl('SQLite::memory:'), { dialect: 'sqlite', path: ':memory:' });
  });

  it('reads mysql:// and mariadb:// URLs, percent-decoding user and password, port 3306 by default', () => {
    assert.deepEqual(parseDatabaseUrl('mysql://sensor:p%40ss%3Aw%2Frd@db.example:33060/clima'), {
      dialect: 'mysql',
      host: 'db.example',
      port: 33060,
      user: 'sensor',
      password: 'p@ss:w/rd',
      database: 'clima',
    });
    assert.deepEqual(parseDatabaseUrl('mariadb://root@127.0.0.1/clima'), {
      dialect: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: 'clima',
    });
    assert.deepEqual(parseDatabaseUrl('mysql://u:p@[::1]:3307/clima'), {
      dialect: 'mysql',
      host: '::1',
      port: 3307,
      user: 'u',
      password: 'p',
      database: 'clima',
    });
  });

  it('rejects other schemes saying what was expected', () => {
    assert.throws(
      () => parseDatabaseUrl('postgres://u:secret@h/db'),
      new Error('expected mysql://user:pass@host:port/db or sqlite:PATH, got "postgres:"'),
    );
    assert.throws(
      () => parseDatabaseUrl('./data/clima.db'),
      /expected mysql:\/\/user:pass@host:port\/db or sqlite:PATH/,
    );
    assert.throws(() => parseDatabaseUrl(''), /expected .* or sqlite:PATH, got ""/);
    assert.throws(() => parseDatabaseUrl('sqlite:'), /no path/);
  });

  for (const [url, reason] of [
    ['mysql://u:hunter2@h:3306/', /exactly one database name/],
    ['mysql://u:hunter2@h:3306/a/b', /exactly one database name/],
    ['mysql://:hunter2@h/clima', /no user/],
    ['mysql://u:hunter2@h:99999/clima', /does not parse/],
    ['mysql://u:hunter2@h/clima?ssl=true', /query parameters/],
    ['mysql://u:hunter2%zz@h/clima', /password is not valid percent-encoding/],
  ] as const) {
    it(`rejects ${url.replace('hunter2', '***')} without echoing the password`, () => {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: Error) => {
          assert.match(error.message, reason);
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    });
  }
});

describe('describeTarget', () => {
  it('names the target for logs without the password', () => {
    const mysql = parseDatabaseUrl('mysql://sensor:hunter2@db:33060/clima');
    assert.equal(describeTarget(mysql), 'mysql://sensor@db:33060/clima');
    assert.equal(describeTarget(parseDatabaseUrl('mysql://u:p@[::1]/clima')), 'mysql://u@[::1]:3306/clima');
    assert.equal(describeTarget(parseDatabaseUrl('sqlite:data/clima.db')), 'sqlite:data/clima.db');
  });
});
