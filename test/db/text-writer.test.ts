import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextWriter } from '../../src/db/text-writer.js';

describe('text writer', () => {
  it('writes whole numbers and tenths exactly as String writes them', () => {
    const writer = new TextWriter();
    const integers = [
      0,
      1,
      9,
      10,
      99,
      100,
      -1,
      -10,
      123_456_789,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const value of integers) {
      writer.integer(value);
      assert.equal(writer.take(), String(value));
    }
    for (let tenths = -1000; tenths <= 1000; tenths++) {
      writer.tenths(tenths);
      assert.equal(writer.take(), String(tenths / 10), `${tenths} tenths`);
    }
  });

  it('joins ASCII, encoded and any text into one string, growing past its first buffer', () => {
    const writer = new TextWriter();
    writer.ascii('(');
    writer.encoded(Buffer.from("'Bogotá'", 'utf8'));
    writer.char(0x2c);
    writer.text('日本');
    writer.asciiSlice('2024-03-01 12:00:00', 11, 19);
    assert.equal(writer.take(), "('Bogotá',日本12:00:00");
    const long = 'x'.repeat(100_000);
    writer.ascii(long);
    writer.ascii(long);
    assert.equal(writer.size, 200_000);
    assert.equal(writer.take(), long + long);
    assert.equal(writer.take(), '', 'empty again after a take');
  });
});
