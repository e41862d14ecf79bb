/** A SQLite file: the embedded default. */
export interface SqliteTarget {
  readonly dialect: 'sqlite';
  /** A file path (relative paths resolve against the working directory), or `:memory:`. */
  readonly path: string;
}

/** A MySQL or MariaDB server, reached over TCP. */
export interface MysqlTarget {
  readonly dialect: 'mysql';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Where the readings live, as parsed from `DATABASE_URL`. */
export type DatabaseTarget = SqliteTarget | MysqlTarget;

const EXPECTED = 'expected mysql://user:pass@host:port/db or sqlite:PATH';
const DEFAULT_MYSQL_PORT = 3306;

/**
 * Parses a `DATABASE_URL`. Accepted forms:
 *
 * - `sqlite:PATH`, `sqlite://PATH`: `PATH` as written, relative to the working directory unless it
 *   starts with `/`; so `sqlite:data/clima.db` and `sqlite://data/clima.db` are relative,
 *   `sqlite:/var/lib/clima.db` and `sqlite:///var/lib/clima.db` absolute. No percent-decoding.
 *   `sqlite::memory:` is a private in-memory database.
 * - `mysql://user:pass@host:port/db` or `mariadb://...`: user and password percent-decoded (encode
 *   `@ : / # ?` in a password), port 3306 by default. Query parameters are rejected.
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
  return `mysql://${encodeURIComponent(target.user)}@${host}:${target.port}/${target.database}`;
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
  if (url.search !== '' || url.hash !== '') fail('query parameters and fragments are not supported');
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
  };
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
