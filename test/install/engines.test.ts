// A clean `npm install` on a supported Node prints no engine warning: every package the lockfile
// installs admits the Node running the tests and the oldest one package.json accepts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

type Version = [number, number, number];

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};

/** `20`, `20.10`, `20.x`, `10.*`: the missing or wild parts as 0, and which part was given last. */
function parseVersion(text: string): { version: Version; given: number } {
  const parts = text.replace(/^v/, '').split('.');
  const numbers = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
  const given = numbers.indexOf(undefined);
  const count = given === -1 ? Math.min(parts.length, 3) : given;
  if (count === 0) throw new Error(`cannot read the version "${text}"`);
  const version: Version = [
    numbers[0] ?? 0,
    count > 1 ? (numbers[1] ?? 0) : 0,
    count > 2 ? (numbers[2] ?? 0) : 0,
  ];
  return { version, given: count };
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** One comparator of a range (`>=14.17`, `<21`, `^8.9.4`, `20.x`), as npm's semver reads it. */
function admits(comparator: string, node: Version): boolean {
  const match = /^(>=|<=|>|<|\^|~|=)?\s*(.+)$/.exec(comparator);
  if (match === null) throw new Error(`cannot read the comparator "${comparator}"`);
  const [, operator = '=', text = ''] = match;
  if (text === '*' || text === 'x') return true;
  const { version, given } = parseVersion(text);
  const order = compare(node, version);
  switch (operator) {
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '^':
      return order >= 0 && node[0] === version[0] && (version[0] !== 0 || node[1] === version[1]);
    case '~':
      return order >= 0 && node[0] === version[0] && (given < 2 || node[1] === version[1]);
    default:
      // `20.x`, `10.*`, `20`: the parts given must match.
      return version.slice(0, given).every((part, i) => node[i] === part);
  }
}

/** A whole range: alternatives by `||`, each a conjunction of comparators. */
function satisfies(range: string, node: Version): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|\^|~)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => admits(comparator, node)),
  );
}

describe('the engines of the locked packages', () => {
  const oldest = /^>=\s*([\d.]+)/.exec(
    (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node,
  )?.[1];
  const nodes = [process.versions.node, oldest ?? ''];

  it('reads ranges as npm does', () => {
    const v20 = parseVersion('20.20.2').version;
    assert.equal(satisfies('>=20.10 <21 || >=22', v20), true);
    assert.equal(satisfies('>=22', v20), false);
    assert.equal(satisfies('^16 || ^18 || >=20', v20), true);
    assert.equal(satisfies('20.x || 22.x', v20), true);
    assert.equal(satisfies('10.* || >= 12.*', v20), true);
    assert.equal(satisfies('^8.16.0 || ^10.6.0', v20), false);
    assert.equal(satisfies('*', v20), true);
  });

  for (const node of nodes) {
    it(`admit Node ${node}, so installing prints no engine warning`, () => {
      const version = parseVersion(node).version;
      const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
        const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
        return range !== undefined && !satisfies(range, version) ? [`${path || 'clima'} wants ${range}`] : [];
      });
      assert.deepEqual(refusing, []);
    });
  }
});
