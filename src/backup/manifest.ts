import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../core/package-root.js';
import type { DatabaseOrigin } from '../db/database-identity.js';
import type { ReadingSource } from '../weather/observation.js';

export const MANIFEST_FORMAT = 'clima-backup-manifest';
/** 2 added `origin`; version 1 manifests (no origin) are still read. */
export const MANIFEST_VERSION = 2;

/**
 * Where the source of readings changes, in id order: from `fromId` on (until the next run), the
 * snapshot's rows came from `source`. The paper's format has no place for it, and sources change
 * seldom (only when `auto` falls back or recovers), so the manifest keeps it compactly.
 */
export interface SourceRun {
  readonly fromId: number;
  readonly source: ReadingSource;
}

/** Beside each snapshot: what it must hold, to verify it before it is trusted. */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly formatVersion: 1 | typeof MANIFEST_VERSION;
  /** When the snapshot was taken, ISO 8601 UTC. */
  readonly createdAt: string;
  /** The data file's name, in the same folder. */
  readonly dataFile: string;
  readonly bytes: number;
  /** Hex SHA-256 of the data file. */
  readonly sha256: string;
  readonly rowCount: number;
  readonly minId: number | null;
  readonly maxId: number | null;
  readonly minFechaRegistro: string | null;
  readonly maxFechaRegistro: string | null;
  /** `sqlite` or `mysql` (MySQL or MariaDB). */
  readonly sourceDialect: string;
  /**
   * The database the snapshot was taken from; null in a version 1 manifest, written before
   * origins were recorded: its origin is unknown.
   */
  readonly origin: DatabaseOrigin | null;
  /** Version of clima that wrote it. */
  readonly appVersion: string;
  /** The source of every row; null when there were too many runs to keep. */
  readonly sources: readonly SourceRun[] | null;
}

const FECHA = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
const COUNT = z.number().int().min(0);

const originSchema = z.strictObject({
  databaseId: z.string().min(1),
  dialect: z.enum(['sqlite', 'mysql']),
  location: z.string().min(1),
});

const manifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(MANIFEST_VERSION)]),
  createdAt: z.iso.datetime(),
  dataFile: z.string().min(1),
  bytes: COUNT,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rowCount: COUNT,
  minId: COUNT.nullable(),
  maxId: COUNT.nullable(),
  minFechaRegistro: FECHA.nullable(),
  maxFechaRegistro: FECHA.nullable(),
  sourceDialect: z.string().min(1),
  origin: originSchema.optional(),
  appVersion: z.string().min(1),
  sources: z
    .array(z.strictObject({ fromId: COUNT, source: z.enum(['open-meteo', 'simulated', 'device']) }))
    .nullable(),
});

/** The manifest's text: 4-space indent like the data file, one source run a line, ending with a newline. */
export function formatManifest(manifest: Manifest): string {
  const { sources, origin, ...rest } = manifest;
  // Version 1 has no origin: an old manifest rewritten stays as it was.
  const withOrigin = origin === null ? rest : { ...rest, origin };
  const lines = JSON.stringify(withOrigin, null, 4).split('\n');
  const runs = sources?.map((run) => `        ${JSON.stringify(run)}`).join(',\n');
  const value = sources === null ? 'null' : sources.length === 0 ? '[]' : `[\n${runs}\n    ]`;
  lines.splice(-1, 0, `    "sources": ${value}`);
  lines[lines.length - 3] += ',';
  return `${lines.join('\n')}\n`;
}

/** Parses a manifest's text; throws an `Error` saying what is wrong with it. */
export function parseManifest(text: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON (${(error as Error).message})`);
  }
  if (typeof json === 'object' && json !== null && 'formatVersion' in json) {
    const version = json.formatVersion;
    if (typeof version === 'number' && version > MANIFEST_VERSION) {
      throw new Error(`format version ${version} is newer than this clima reads (${MANIFEST_VERSION})`);
    }
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? `"${issue.path.join('.')}": ` : '';
    throw new Error(`${where}${issue?.message ?? 'invalid'}`);
  }
  const { origin, ...manifest } = result.data;
  if (manifest.formatVersion === 1 && origin !== undefined) {
    throw new Error('"origin": not part of format version 1');
  }
  if (manifest.formatVersion > 1 && origin === undefined) throw new Error('"origin": missing');
  if (origin !== undefined && origin.dialect !== manifest.sourceDialect) {
    throw new Error(`"origin.dialect": ${origin.dialect}, but sourceDialect is ${manifest.sourceDialect}`);
  }
  return { ...manifest, origin: origin ?? null };
}

/** An origin in words: `database ID (DIALECT, LOCATION)`, or why it is unknown. */
export function describeOrigin(origin: DatabaseOrigin | null): string {
  if (origin === null) return 'unknown (the manifest was written before clima recorded origins)';
  return `database ${origin.databaseId} (${origin.dialect}, ${origin.location})`;
}

/** The version in package.json, read once per call site. */
export function appVersion(): string {
  const file = new URL('package.json', PACKAGE_ROOT);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}
