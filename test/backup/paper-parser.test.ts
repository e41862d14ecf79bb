import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaperRow } from '../../src/backup/paper-format.js';
import { createPaperParser } from '../../src/backup/paper-parser.js';

const ROWS: PaperRow[] = [
  { id: 1, ciudad: 'Cali', temperatura: 20.1, humedad: 91, fecha_registro: '2025-12-08 09:38:05' },
  { id: 2, ciudad: 'Odd } { "name" \\', temperatura: -3, humedad: 0, fecha_registro: '2024-02-29 23:59:59' },
  { id: 7, ciudad: 'Bogotá', temperatura: 16.4, humedad: 100, fecha_registro: '2025-01-01 00:00:00' },
];

/** Parses `text` fed as UTF-8 in pieces of `size` bytes, cutting characters too. */
function parse(text: string, size = Buffer.byteLength(text)): PaperRow[] {
  const bytes = Buffer.from(text, 'utf8');
  const parser = createPaperParser();
  const rows: PaperRow[] = [];
  for (let start = 0; start < bytes.length; start += size)
    rows.push(...parser.feed(bytes.subarray(start, start + size)));
  parser.finish();
  return rows;
}

function problem(text: string): string {
  try {
    parse(text, 4096);
  } catch (error) {
    return (error as Error).message;
  }
  return assert.fail('expected the text to be refused');
}

const row = (fields: Record<string, unknown>) =>
  JSON.stringify([
    {
      id: 1,
      ciudad: 'Cali',
      temperatura: 20.1,
      humedad: 91,
      fecha_registro: '2025-12-08 09:38:05',
      ...fields,
    },
  ]);

describe('reading the paper format', () => {
  it('reads any JSON layout of the array, in pieces of any size', () => {
    for (const text of [
      JSON.stringify(ROWS),
      JSON.stringify(ROWS, null, 4),
      JSON.stringify(ROWS, null, '\t'),
    ]) {
      for (const size of [1, 2, 7, 64, Buffer.byteLength(text)]) assert.deepEqual(parse(text, size), ROWS);
    }
    assert.deepEqual(parse(' [ ] \n'), []);
  });

  it('accepts the keys in any order', () => {
    const [first] = ROWS;
    const reordered = `[{"fecha_registro":"2025-12-08 09:38:05","humedad":91,"temperatura":20.1,"ciudad":"Cali","id":1}]`;
    assert.deepEqual(parse(reordered), [first]);
  });

  it('reads values exactly as JSON.parse does: number forms, escapes, any characters, a repeated key', () => {
    const texts = [
      '[{"id": 1e0, "ciudad": "Bogot\\u00e1 \\"N\\" \\\\ \\/", "temperatura": -0.0, "humedad": 5E1, "fecha_registro": "2025-12-08 09:38:05"}]',
      '[{"id":2,"ciudad":"\u00d1u\u00f1oa \ud83c\udf27","temperatura":20.100000000000001,"humedad":0,"fecha_registro":"2024-02-29 23:59:59"}]',
      '[{"id": 3, "ciudad": "Cali", "temperatura": 0.1234567890123456789, "humedad": 100, "fecha_registro": "2025-01-01 00:00:00"}]',
      '[{"id": 4, "ciudad": "Cali", "temperatura": -99.99e0, "humedad": 1, "fecha_registro": "2025-01-01 00:00:00", "humedad": 2}]',
      '[{"\\u0069d": 5, "ciudad": "Cali", "temperatura": 1.5e-1, "humedad": 3, "fecha_registro": "2025-01-01 00:00:00"}]',
    ];
    for (const text of texts) {
      const expected = JSON.parse(text) as PaperRow[];
      for (const size of [1, 3, Buffer.byteLength(text)]) {
        const [row] = parse(text, size);
        assert.deepEqual(row, expected[0], text);
        assert.ok(Object.is(row?.temperatura, expected[0]?.temperatura), `${row?.temperatura} from ${text}`);
      }
    }
    // Every one-decimal temperature the paper can hold, as clima writes them.
    for (let tenths = -1000; tenths <= 1000; tenths++) {
      const temperatura = tenths / 10;
      const text = JSON.stringify([{ ...ROWS[0], temperatura }]);
      assert.equal(parse(text)[0]?.temperatura, temperatura);
    }
  });

  for (const [what, text, expected] of [
    [
      'a control character inside a string',
      '[{"id": 1, "ciudad": "Ca\nli", "temperatura": 20.1, "humedad": 91, "fecha_registro": "2025-12-08 09:38:05"}]',
      /row 1 is not valid JSON/,
    ],
    [
      'a number with a leading zero',
      row({ humedad: 1 }).replace('"humedad":1', '"humedad":01'),
      /row 1 is not valid JSON/,
    ],
    [
      'a number without digits after its point',
      row({ humedad: 1 }).replace('"humedad":1', '"humedad":1.'),
      /row 1 is not valid JSON/,
    ],
    ['an invalid escape', row({ ciudad: 'Cali' }).replace('Cali', 'Ca\\xli'), /row 1 is not valid JSON/],
    ['a value of null', row({ humedad: null }), /"humedad" must be a whole number from 0 to 100, got null/],
    ['a value of true', row({ ciudad: true }), /"ciudad" must be a trimmed name .*got true/],
    ['a key without quotes', '[{id: 1}]', /row 1 is not valid JSON/],
    ['an empty file', '', /empty/],
    ['text that is not JSON', 'id,ciudad\n1,Cali\n', /not JSON/],
    ['a single object', '{"id": 1}', /not a JSON array/],
    ['an array cut inside a row', JSON.stringify(ROWS).slice(0, 80), /ends inside row \d: truncated/],
    [
      'an array without its closing bracket',
      JSON.stringify(ROWS).slice(0, -1),
      /without the array's closing \]: truncated/,
    ],
    ['text after the array', `${JSON.stringify(ROWS)} []`, /after the array's closing \]/],
    ['a trailing comma', `${JSON.stringify(ROWS).slice(0, -1)},]`, /row 4: expected an object/],
    ['a row that is not valid JSON', '[{"id": 1, "ciudad": Cali}]', /row 1 is not valid JSON/],
    ['a nested value', row({ humedad: [91] }), /object or an array/],
    ['a row that is not an object', '[1]', /row 1: expected an object/],
    [
      'a missing key',
      JSON.stringify([{ id: 1, ciudad: 'Cali', temperatura: 1, fecha_registro: '2025-12-08 09:38:05' }]),
      /row 1 \(id 1\): missing key "humedad"/,
    ],
    ['an unknown key', row({ source: 'simulated' }), /unexpected key "source"/],
    ['a temperature as text', row({ temperatura: '20.1' }), /"temperatura" must be a number .*got "20.1"/],
    ['a temperature out of range', row({ temperatura: 150 }), /"temperatura" must be/],
    [
      'a fractional humidity',
      row({ humedad: 50.5 }),
      /"humedad" must be a whole number from 0 to 100, got 50.5/,
    ],
    ['an id as text', row({ id: '1' }), /row 1: "id" must be a whole number/],
    [
      'a date in another format',
      row({ fecha_registro: '2025-12-08T09:38:05Z' }),
      /"fecha_registro" must be a UTC time/,
    ],
    ['a date that does not exist', row({ fecha_registro: '2025-02-30 10:00:00' }), /"fecha_registro"/],
    ['an untrimmed city', row({ ciudad: ' Cali' }), /"ciudad" must be a trimmed name/],
    ['ids out of order', JSON.stringify([ROWS[2], ROWS[0]]), /row 2: id 1 does not follow id 7/],
    ['a row too long to be one', `[{"id": 1, "ciudad": "${'x'.repeat(70_000)}"}]`, /longer than/],
  ] as const) {
    it(`refuses ${what}, naming the problem`, () => {
      assert.match(problem(text), expected);
    });
  }
});
