import { isIP } from 'node:net';
import { checkServerIdentity, type TLSSocket } from 'node:tls';
import type { PoolConnection, SslOptions } from 'mysql2';
import type { Logger } from '../core/logger.js';
import type { DatabaseTarget, MysqlTarget, MysqlTls } from './database-url.js';

/** mysql2's `ssl` option for the target's `ssl-mode`; undefined is a plain connection. */
export function mysqlSslOptions(target: MysqlTarget): SslOptions | undefined {
  const { tls } = target;
  switch (tls.mode) {
    case 'DISABLED':
      return undefined;
    case 'REQUIRED':
      return { rejectUnauthorized: false };
    case 'VERIFY_CA':
    case 'VERIFY_IDENTITY':
      return {
        ...(tls.ca ? { ca: tls.ca.pem } : {}),
        rejectUnauthorized: true,
        // mysql2 checks an IP address against the name "localhost" (it gives Node no server name
        // for an IP), so a certificate for localhost would pass for any address: an IP host is
        // checked by createServerIdentityCheck instead.
        verifyIdentity: tls.mode === 'VERIFY_IDENTITY' && isIP(target.host) === 0,
      };
  }
}

/**
 * For VERIFY_IDENTITY with an IP address as host, a check of each new connection before it is
 * used: the error when the server's certificate does not name that address, else undefined (and
 * always undefined for other targets). The handshake has already verified the certificate's
 * chain, so the password only ever reached a server holding a certificate of the trusted CA.
 *
 * A resumed TLS session shows no certificate; like Node for a host name, it is trusted when it
 * could only come from a verified server: here, when the pool's latest full handshake passed.
 */
export function createServerIdentityCheck(
  target: MysqlTarget,
): (connection: PoolConnection) => Error | undefined {
  if (target.tls.mode !== 'VERIFY_IDENTITY' || isIP(target.host) === 0) return () => undefined;
  let latestFullHandshakePassed = false;
  return (connection) => {
    const socket = (connection as unknown as { stream?: Partial<TLSSocket> }).stream;
    if (typeof socket?.getPeerCertificate !== 'function') return refused('the connection is not TLS');
    if (socket.isSessionReused?.())
      return latestFullHandshakePassed ? undefined : refused('a resumed TLS session of an unverified server');
    const certificate = socket.getPeerCertificate();
    const error =
      Object.keys(certificate).length === 0
        ? new Error('the server sent no certificate')
        : checkServerIdentity(target.host, certificate);
    latestFullHandshakePassed = error === undefined;
    return error && refused(error.message);
  };
}

function refused(message: string): Error {
  return Object.assign(new Error(message), { code: 'HANDSHAKE_SSL_ERROR', fatal: true });
}

/**
 * A refused certificate reaches us as a bare OpenSSL message ("self-signed certificate in
 * certificate chain"); say that it is the database's TLS and what to check. The error keeps its
 * code and `fatal` flag: services treat it like any unreachable database and keep retrying, so
 * fixing the CA or the server's certificate needs no restart of the edge.
 */
export function explainTlsFailure(error: NodeJS.ErrnoException, tls: MysqlTls): NodeJS.ErrnoException {
  if (tls.mode === 'DISABLED' || !isTlsFailure(error)) return error;
  const advice =
    error.code === 'HANDSHAKE_NO_SSL_SUPPORT'
      ? 'the server does not offer TLS (configure its certificate, or set ssl-mode=DISABLED)'
      : `the server's certificate was refused (ssl-mode=${tls.mode}${tls.ca ? `, ssl-ca=${tls.ca.file}` : ''}): is it signed by that CA${tls.mode === 'VERIFY_IDENTITY' ? ' and issued for this host' : ''}?`;
  return Object.assign(new Error(`database TLS failed: ${error.message}; ${advice}`, { cause: error }), {
    code: error.code,
    fatal: (error as { fatal?: boolean }).fatal ?? true,
  });
}

function isTlsFailure(error: NodeJS.ErrnoException): boolean {
  // mysql2 reports a failed handshake as HANDSHAKE_SSL_ERROR with OpenSSL's message; the codes
  // of Node's own TLS errors are there in case a later version passes them through.
  const code = String(error.code ?? '');
  return /^HANDSHAKE_(SSL_ERROR|NO_SSL_SUPPORT)$|^ERR_(TLS|SSL)_|CERT|SELF_SIGNED/.test(code);
}

/**
 * Warns once, at start, when the database's password would cross a network in clear: a MySQL
 * host other than this machine's loopback, reached with ssl-mode=DISABLED. A warning, not an
 * error: a private network may be trusted, but that should be a decision, not an accident.
 */
export function warnOfPlaintextCredentials(target: DatabaseTarget, logger: Logger): void {
  if (target.dialect !== 'mysql' || target.tls.mode !== 'DISABLED' || isLoopback(target.host)) return;
  logger.warn(
    { host: target.host, port: target.port, sslMode: target.tls.mode },
    `the database password goes to ${target.host} unencrypted (ssl-mode=DISABLED): to enable TLS add ?ssl-mode=VERIFY_IDENTITY&ssl-ca=/path/ca.pem to DATABASE_URL (README, "TLS on the cloud link")`,
  );
}

function isLoopback(host: string): boolean {
  const address = host.toLowerCase().replace(/^::ffff:/, '');
  if (address === 'localhost' || address === '::1') return true;
  return isIP(address) === 4 && address.startsWith('127.');
}
