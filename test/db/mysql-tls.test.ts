import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PoolConnection } from 'mysql2';
import type { MysqlTarget, MysqlTls } from '../../src/db/database-url.js';
import {
  createServerIdentityCheck,
  explainTlsFailure,
  mysqlSslOptions,
  warnOfPlaintextCredentials,
} from '../../src/db/mysql-tls.js';
import { captureLogger } from '../support/capture-logger.js';

const CA = { file: '/etc/clima/ca.pem', pem: '-----BEGIN CERTIFICATE-----\n...' };

function target(host: string, tls: MysqlTls): MysqlTarget {
  return { dialect: 'mysql', host, port: 33060, user: 'u', password: 'p', database: 'clima', tls };
}

/**
 * A pool connection over TLS whose server presented a certificate with these subject alternative
 * names (`undefined`: none), or resumed an earlier session (which shows no certificate).
 */
function tlsConnection(subjectaltname: string | undefined, resumed = false): PoolConnection {
  const certificate =
    subjectaltname === undefined || resumed ? {} : { subject: { CN: 'clima database' }, subjectaltname };
  return {
    stream: { getPeerCertificate: () => certificate, isSessionReused: () => resumed },
  } as unknown as PoolConnection;
}

describe('mysqlSslOptions', () => {
  it('maps each ssl-mode to what mysql2 does with it', () => {
    assert.equal(mysqlSslOptions(target('db', { mode: 'DISABLED' })), undefined);
    assert.deepEqual(mysqlSslOptions(target('db', { mode: 'REQUIRED' })), { rejectUnauthorized: false });
    assert.deepEqual(mysqlSslOptions(target('db', { mode: 'VERIFY_CA', ca: CA })), {
      ca: CA.pem,
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
    assert.deepEqual(mysqlSslOptions(target('db.example', { mode: 'VERIFY_IDENTITY' })), {
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });

  it("leaves an IP address's identity to createServerIdentityCheck: mysql2 would check it against localhost", () => {
    assert.equal(
      mysqlSslOptions(target('10.199.0.2', { mode: 'VERIFY_IDENTITY', ca: CA }))?.verifyIdentity,
      false,
    );
  });
});

describe('createServerIdentityCheck', () => {
  const byIp = target('10.199.0.2', { mode: 'VERIFY_IDENTITY', ca: CA });

  it('accepts a certificate naming the IP address of the URL', () => {
    assert.equal(createServerIdentityCheck(byIp)(tlsConnection('IP Address:10.199.0.2')), undefined);
  });

  it('refuses a certificate for another address or only for localhost, as a fatal TLS error', () => {
    for (const names of ['IP Address:10.199.0.3', 'DNS:localhost, IP Address:127.0.0.1']) {
      const error = createServerIdentityCheck(byIp)(tlsConnection(names));
      assert.match(String(error?.message), /IP: 10\.199\.0\.2 is not in the cert's list/);
      assert.deepEqual(
        [(error as NodeJS.ErrnoException).code, (error as { fatal?: boolean }).fatal],
        ['HANDSHAKE_SSL_ERROR', true],
      );
    }
  });

  it('refuses a connection without TLS or without a certificate', () => {
    const check = createServerIdentityCheck(byIp);
    assert.match(String(check({ stream: {} } as unknown as PoolConnection)?.message), /not TLS/);
    assert.match(String(check(tlsConnection(undefined))?.message), /no certificate/);
  });

  it('trusts a resumed session only while the latest full handshake was verified', () => {
    const check = createServerIdentityCheck(byIp);
    assert.match(
      String(check(tlsConnection(undefined, true))?.message),
      /resumed TLS session of an unverified server/,
    );
    assert.equal(check(tlsConnection('IP Address:10.199.0.2')), undefined);
    assert.equal(check(tlsConnection(undefined, true)), undefined);
    assert.ok(check(tlsConnection('IP Address:10.199.0.9')));
    assert.ok(check(tlsConnection(undefined, true)), 'a session of the impostor is not trusted');
  });

  it('has nothing to check for a host name (mysql2 checks it during the handshake) or other modes', () => {
    const any = tlsConnection('IP Address:10.0.0.9');
    assert.equal(
      createServerIdentityCheck(target('db.example', { mode: 'VERIFY_IDENTITY' }))(any),
      undefined,
    );
    assert.equal(
      createServerIdentityCheck(target('10.199.0.2', { mode: 'VERIFY_CA', ca: CA }))(any),
      undefined,
    );
  });
});

describe('explainTlsFailure', () => {
  const refused = Object.assign(new Error('self-signed certificate in certificate chain'), {
    code: 'HANDSHAKE_SSL_ERROR',
    fatal: true,
  });

  it('says a refused certificate is the database TLS, with the settings to check, keeping code and fatal', () => {
    const error = explainTlsFailure(refused, { mode: 'VERIFY_IDENTITY', ca: CA });
    assert.equal(
      error.message,
      "database TLS failed: self-signed certificate in certificate chain; the server's certificate was refused (ssl-mode=VERIFY_IDENTITY, ssl-ca=/etc/clima/ca.pem): is it signed by that CA and issued for this host?",
    );
    assert.equal(error.code, 'HANDSHAKE_SSL_ERROR');
    assert.equal((error as { fatal?: boolean }).fatal, true);
    assert.equal(error.cause, refused);
  });

  it('says when the server offers no TLS at all', () => {
    const error = explainTlsFailure(
      Object.assign(new Error('Server does not support secure connection'), {
        code: 'HANDSHAKE_NO_SSL_SUPPORT',
      }),
      { mode: 'REQUIRED' },
    );
    assert.match(error.message, /the server does not offer TLS/);
  });

  it('leaves other errors, and any error of a plain connection, as they are', () => {
    const refusedTcp = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(explainTlsFailure(refusedTcp, { mode: 'VERIFY_IDENTITY' }), refusedTcp);
    assert.equal(explainTlsFailure(refused, { mode: 'DISABLED' }), refused);
  });
});

describe('warnOfPlaintextCredentials', () => {
  const warnings = (host: string, tls: MysqlTls) => {
    const { logger, lines } = captureLogger();
    warnOfPlaintextCredentials({ ...target(host, tls), password: 'hunter2' }, logger);
    return lines;
  };

  it('warns once, naming the host and how to enable TLS, when the password would cross a network in clear', () => {
    for (const host of ['cloud.example.org', '203.0.113.10', '10.0.0.5', 'fd00::2', '0.0.0.0']) {
      const lines = warnings(host, { mode: 'DISABLED' });
      assert.equal(lines.length, 1, host);
      const [line] = lines;
      assert.equal(line?.level, 40, 'warn');
      assert.equal(line?.host, host);
      assert.match(line?.msg ?? '', new RegExp(`goes to ${host.replace(/\./g, '\\.')} unencrypted`));
      assert.match(line?.msg ?? '', /ssl-mode=VERIFY_IDENTITY&ssl-ca=/);
      assert.doesNotMatch(JSON.stringify(line), /hunter2/, 'never the password');
    }
  });

  it('stays quiet for this machine (127.0.0.0/8, ::1, localhost) and for any TLS', () => {
    for (const host of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])
      assert.deepEqual(warnings(host, { mode: 'DISABLED' }), [], host);
    for (const mode of ['REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'] as const)
      assert.deepEqual(warnings('cloud.example.org', { mode }), [], mode);
  });

  it('stays quiet for SQLite', () => {
    const { logger, lines } = captureLogger();
    warnOfPlaintextCredentials({ dialect: 'sqlite', path: 'data/clima.db' }, logger);
    assert.deepEqual(lines, []);
  });
});
