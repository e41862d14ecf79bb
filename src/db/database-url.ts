import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A SQLite file: the embedded default. */
export interface SqliteTarget {
  readonly dialect: 'sqlite';
  /** A file path (relative paths resolve against the working directory), or `:memory:`. */
  readonly path: string;
}

/**
 * TLS on a MySQL connection, named as MySQL's own client names it (`--ssl-mode`):
 * - `DISABLED`: plain TCP (the default without `ssl-ca`);
 * - `REQUIRED`: encrypted, the server's certificate not checked (protects against eavesdropping only);
 * - `VERIFY_CA`: encrypted, the certificate must be signed by the CA;
 * - `VERIFY_IDENTITY`: as `VERIFY_CA`, and the certificate must name the host of the URL (the
 *   default with `ssl-ca`).
 */
export type SslMode = 'DISABLED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY';

export interface MysqlTls {
  readonly mode: SslMode;
  /**
   * The CA certificates (PEM) trusted by `VERIFY_*`, read from the `ssl-ca` file when the URL is
   * parsed; absent, Node's bundled public CAs are trusted.
   */
  readonly ca?: { readonly file: string; readonly pem: string };
}

/** A MySQL or MariaDB server, reached over TCP. */
export interface MysqlTarget {
  readonly dialect: 'mysql';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly tls: MysqlTls;
}

/** Where the readings live, as parsed from `DATABASE_URL`. */
export type DatabaseTarget = SqliteTarget | MysqlTarget;

const EXPECTED = 'expected mysql://user:pass@host:port/db or sqlite:PATH';
const DEFAULT_MYSQL_PORT = 3306;
const SSL_MODES: readonly SslMode[] = ['DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'];
const QUERY_PARAMETERS = ['ssl-mode', 'ssl-ca'];

/**
 * Parses a `DATABASE_URL`. Accepted forms:
 *
 * - `sqlite:PATH`, `sqlite://PATH`: `PATH` as written, relative to the working directory unless it
 *   starts with `/`; so `sqlite:data/clima.db` and `sqlite://data/clima.db` are relative,
 *   `sqlite:/var/lib/clima.db` and `sqlite:///var/lib/clima.db` absolute. No percent-decoding.
 *   `sqlite::memory:` is a private in-memory database.
 * - `mysql://user:pass@host:port/db` or `mariadb://...`: user and password percent-decoded (encode
 *   `@ : / # ?` in a password), port 3306 by default. TLS as query parameters named like MySQL's
 *   client options: `?ssl-mode=VERIFY_IDENTITY&ssl-ca=/run/secrets/ca.pem` (see `SslMode`); the
 *   `ssl-ca` file is read here, so a missing or unreadable CA stops start-up. Any other parameter
 *   is rejected.
 *
 * Anything else throws an `Error` saying what was expected; messages never contain a password.
 */
export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const url = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') return parseSqlite(url.slice('sqlite:'.length));
  if (scheme === 'mysql' || scheme === 'mariadb') return parseMysql(url);
  const shown = scheme === undefined ? JSON.stringify(url.slice(0, 20)) : `"${scheme}:"`;
  throw new Error(`${EXPECTED}, got ${shown}`);
}

/** The target in words for logs and messages: never the password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return `sqlite:${target.path}`;
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `mysql://${encodeURIComponent(target.user)}@${host}:${target.port}/${target.database}${describeTls(target.tls)}`;
}

/**
 * Where the database is, to record beside its snapshots: no user, no password, no TLS options.
 * `mysql://HOST:PORT/DB` as this client reaches it, or the SQLite file's absolute path.
 */
export function locationOf(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite') return target.path === ':memory:' ? target.path : resolve(target.path);
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  return `mysql://${host}:${target.port}/${target.database}`;
}

function describeTls(tls: MysqlTls): string {
  if (tls.mode === 'DISABLED') return '';
  return `?ssl-mode=${tls.mode}${tls.ca ? `&ssl-ca=${tls.ca.file}` : ''}`;
}

function parseSqlite(rest: string): SqliteTarget {
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') throw new Error(`${EXPECTED}, got "sqlite:" with no path`);
  return { dialect: 'sqlite', path };
}

function parseMysql(raw: string): MysqlTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The raw text may hold a password, so only the reason is echoed.
    throw new Error(`${EXPECTED}, got a mysql URL that does not parse (bad port? unencoded @ / # ?)`);
  }
  const fail = (reason: string): never => {
    throw new Error(`${EXPECTED}: ${reason} in ${redacted(url)}`);
  };
  if (url.hash !== '') fail('fragments are not supported');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') fail('no host');
  const database = decodeOrFail(url.pathname.slice(1), 'database name', fail);
  if (database === '' || database.includes('/')) fail('the path must be exactly one database name');
  const user = decodeOrFail(url.username, 'user', fail);
  if (user === '') fail('no user');
  const port = url.port === '' ? DEFAULT_MYSQL_PORT : Number(url.port);
  if (port < 1 || port > 65535) fail('port out of range');
  return {
    dialect: 'mysql',
    host,
    port,
    user,
    password: decodeOrFail(url.password, 'password', fail),
    database,
    tls: parseTls(url.searchParams, fail),
  };
}

function parseTls(params: URLSearchParams, fail: (reason: string) => never): MysqlTls {
  for (const name of new Set(params.keys())) {
    if (!QUERY_PARAMETERS.includes(name))
      fail(`unknown parameter "${name}" (supported: ${QUERY_PARAMETERS.join(', ')})`);
    if (params.getAll(name).length > 1) fail(`parameter "${name}" given twice`);
  }
  const caFile = params.get('ssl-ca') ?? undefined;
  if (caFile === '') fail('ssl-ca is empty: give the path of a PEM file');
  const modeText = params.get('ssl-mode')?.toUpperCase();
  const mode = modeText ?? (caFile === undefined ? 'DISABLED' : 'VERIFY_IDENTITY');
  if (!isSslMode(mode)) return fail(`ssl-mode must be one of ${SSL_MODES.join(', ')}, got "${modeText}"`);
  if (caFile === undefined) return { mode };
  // A CA that would be ignored is a misconfiguration, not a preference: say so instead of
  // connecting without the verification the operator asked for.
  if (mode === 'DISABLED' || mode === 'REQUIRED')
    fail(`ssl-ca is only used with ssl-mode VERIFY_CA or VERIFY_IDENTITY, not ${mode}`);
  return { mode, ca: { file: caFile, pem: readCa(caFile, fail) } };
}

function isSslMode(mode: string): mode is SslMode {
  return (SSL_MODES as readonly string[]).includes(mode);
}

function readCa(file: string, fail: (reason: string) => never): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`ssl-ca ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) fail(`ssl-ca ${file} holds no PEM certificate`);
  return pem;
}

function decodeOrFail(text: string, what: string, fail: (reason: string) => never): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(`the ${what} is not valid percent-encoding`);
  }
}

function redacted(url: URL): string {
  const auth = url.username === '' ? '' : `${url.username}${url.password === '' ? '' : ':***'}@`;
  return `${url.protocol}//${auth}${url.host}${url.pathname}`;
}
