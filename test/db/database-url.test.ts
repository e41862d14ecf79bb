import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeTarget, locationOf, parseDatabaseUrl } from '../../src/db/database-url.js';

const PLAIN = { mode: 'DISABLED' } as const;

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
      tls: PLAIN,
    });
    assert.deepEqual(parseDatabaseUrl('mariadb://root@127.0.0.1/clima'), {
      dialect: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: 'clima',
      tls: PLAIN,
    });
    assert.deepEqual(parseDatabaseUrl('mysql://u:p@[::1]:3307/clima'), {
      dialect: 'mysql',
      host: '::1',
      port: 3307,
      user: 'u',
      password: 'p',
      database: 'clima',
      tls: PLAIN,
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
    ['mysql://u:hunter2@h/clima?ssl=true', /unknown parameter "ssl" \(supported: ssl-mode, ssl-ca\)/],
    ['mysql://u:hunter2@h/clima#x', /fragments are not supported/],
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

describe('parseDatabaseUrl TLS parameters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clima-url-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, pem);
  const notPem = join(dir, 'not.pem');
  writeFileSync(notPem, 'hello');
  const tlsOf = (url: string) => {
    const target = parseDatabaseUrl(url);
    assert.equal(target.dialect, 'mysql');
    return target.tls;
  };

  it("takes ssl-mode and ssl-ca as MySQL's client names them, reading the CA file at once", () => {
    assert.deepEqual(tlsOf(`mysql://u:p@db/clima?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`), {
      mode: 'VERIFY_IDENTITY',
      ca: { file: ca, pem },
    });
    assert.deepEqual(tlsOf(`mysql://u:p@db/clima?ssl-ca=${encodeURIComponent(ca)}&ssl-mode=verify_ca`), {
      mode: 'VERIFY_CA',
      ca: { file: ca, pem },
    });
    assert.deepEqual(tlsOf('mysql://u:p@db/clima?ssl-mode=REQUIRED'), { mode: 'REQUIRED' });
    assert.deepEqual(tlsOf('mysql://u:p@db/clima?ssl-mode=VERIFY_IDENTITY'), { mode: 'VERIFY_IDENTITY' });
    assert.deepEqual(tlsOf('mysql://u:p@db/clima?ssl-mode=disabled'), PLAIN);
  });

  it("verifies the server's identity when a CA is given without a mode", () => {
    assert.deepEqual(tlsOf(`mysql://u:p@db/clima?ssl-ca=${ca}`), {
      mode: 'VERIFY_IDENTITY',
      ca: { file: ca, pem },
    });
  });

  for (const [query, reason] of [
    [
      'ssl-mode=PREFERRED',
      /ssl-mode must be one of DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY, got "PREFERRED"/,
    ],
    [
      `ssl-mode=REQUIRED&ssl-ca=${ca}`,
      /ssl-ca is only used with ssl-mode VERIFY_CA or VERIFY_IDENTITY, not REQUIRED/,
    ],
    [`ssl-mode=DISABLED&ssl-ca=${ca}`, /not DISABLED/],
    ['ssl-ca=', /ssl-ca is empty/],
    ['ssl-ca=/nonexistent/ca.pem', /ssl-ca \/nonexistent\/ca.pem cannot be read \(ENOENT\)/],
    [`ssl-ca=${notPem}`, /holds no PEM certificate/],
    ['ssl-mode=REQUIRED&ssl-mode=DISABLED', /parameter "ssl-mode" given twice/],
  ] as const) {
    it(`rejects ?${query.replace(dir, 'DIR')} saying why, without the password`, () => {
      assert.throws(
        () => parseDatabaseUrl(`mysql://u:hunter2@db/clima?${query}`),
        (error: Error) => {
          assert.match(error.message, reason);
          assert.doesNotMatch(error.message, /hunter2/);
          return true;
        },
      );
    });
  }

  it('names the TLS settings when describing the target', () => {
    assert.equal(
      describeTarget(parseDatabaseUrl(`mysql://u:hunter2@db:33060/clima?ssl-ca=${ca}`)),
      `mysql://u@db:33060/clima?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`,
    );
    assert.equal(
      describeTarget(parseDatabaseUrl('mysql://u:p@db/clima?ssl-mode=required')),
      'mysql://u@db:3306/clima?ssl-mode=REQUIRED',
    );
  });
});

describe('describeTarget', () => {
  it('names the target for logs without the password', () => {
    const mysql = parseDatabaseUrl('mysql://sensor:hunter2@db:33060/clima');
    assert.equal(describeTarget(mysql), 'mysql://sensor@db:33060/clima');
    assert.equal(describeTarget(parseDatabaseUrl('mysql://u:p@[::1]/clima')), 'mysql://u@[::1]:3306/clima');
    assert.equal(describeTarget(parseDatabaseUrl('sqlite:data/clima.db')), 'sqlite:data/clima.db');
  });
});

describe('locationOf', () => {
  it('names where the database is without user, password or TLS options, a SQLite file by its absolute path', () => {
    assert.equal(
      locationOf(parseDatabaseUrl('mysql://sensor:hunter2@db:33060/clima?ssl-mode=required')),
      'mysql://db:33060/clima',
    );
    assert.equal(locationOf(parseDatabaseUrl('mariadb://u:p@[::1]/clima')), 'mysql://[::1]:3306/clima');
    assert.equal(locationOf(parseDatabaseUrl('sqlite:data/clima.db')), join(process.cwd(), 'data/clima.db'));
    assert.equal(locationOf(parseDatabaseUrl('sqlite:///var/lib/clima.db')), '/var/lib/clima.db');
  });
});
