import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { VARIABLES } from '../../src/config/variables.js';

it('documents exactly the variables clima reads, with their defaults, in the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  // Cells may be padded to align the columns, as Markdown formatters do.
  const rows = [...section.matchAll(/^\| +`([A-Z_]+)` +\| ([^|]+) \|/gm)].map(([, name, def]) => ({
    name,
    defaultCell: def?.trim(),
  }));
  assert.deepEqual(
    rows.map((row) => row.name),
    VARIABLES.map((variable) => variable.name),
  );
  for (const variable of VARIABLES) {
    if (variable.name === 'CITIES') continue;
    const row = rows.find((r) => r.name === variable.name);
    const expected = variable.defaultText === undefined ? 'unset' : `\`${variable.defaultText}\``;
    assert.equal(row?.defaultCell, expected, `default of ${variable.name}`);
  }
});
