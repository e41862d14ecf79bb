import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRecord } from '../../src/dashboard/csv.js';

describe('csvRecord', () => {
  it('ends a record with CRLF and leaves plain text and numbers bare', () => {
    assert.equal(
      csvRecord([42, 'Bogota', 14.2, 81, '2026-08-20T15:00:00Z']),
      '42,Bogota,14.2,81,2026-08-20T15:00:00Z\r\n',
    );
  });

  it('prefixes text a spreadsheet would run as a formula with a quote, and quotes the field', () => {
    const cases: [string, string][] = [
      ['=HYPERLINK("http://x.test","go")', `"'=HYPERLINK(""http://x.test"",""go"")"`],
      ['+1+2', `"'+1+2"`],
      ['-2+3', `"'-2+3"`],
      ['@SUM(A1:A2)', `"'@SUM(A1:A2)"`],
      ['\t=1', `"'\t=1"`],
      ['\r=1', `"'\r=1"`],
    ];
    for (const [text, field] of cases) assert.equal(csvRecord([text]), `${field}\r\n`, JSON.stringify(text));
  });

  it('keeps negative and other numbers as numbers, while the same characters as text are neutralised', () => {
    assert.equal(csvRecord([-3.2, 0, -0.5, 1e-7]), '-3.2,0,-0.5,1e-7\r\n');
    assert.equal(csvRecord(['-3.2']), `"'-3.2"\r\n`);
  });

  it('leaves a formula character that is not the first one alone', () => {
    assert.equal(csvRecord(['Villa=Sur', 'a-b', 'x@y']), 'Villa=Sur,a-b,x@y\r\n');
  });

  it('quotes fields holding commas, quotes, CR or LF and doubles the quotes', () => {
    assert.equal(
      csvRecord(['Villa "Nueva", Sur', 'two\nlines', 'cr\rhere']),
      '"Villa ""Nueva"", Sur","two\nlines","cr\rhere"\r\n',
    );
  });
});
