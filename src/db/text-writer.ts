/**
 * Writes a long text byte by byte into one buffer that is reused from text to text: a statement of
 * thousands of rows makes one string at the end instead of a string per value and per row, which
 * at a million rows cost more in garbage collection than the database took to store them.
 */
export class TextWriter {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  // Whether every byte since the last `take` is ASCII: such text is made without decoding UTF-8.
  private onlyAscii = true;

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.length;
  }

  /** `text`, whose characters must all be ASCII. */
  ascii(text: string): void {
    this.room(text.length);
    const { bytes } = this;
    let at = this.length;
    for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** Any text, encoded as UTF-8. */
  text(text: string): void {
    this.room(text.length * 3);
    const written = this.bytes.write(text, this.length, 'utf8');
    if (written !== text.length) this.onlyAscii = false;
    this.length += written;
  }

  /** `text`'s characters from `from` to `to`, which must be ASCII. */
  asciiSlice(text: string, from: number, to: number): void {
    this.room(to - from);
    const { bytes } = this;
    let at = this.length;
    for (let i = from; i < to; i++) bytes[at++] = text.charCodeAt(i);
    this.length = at;
  }

  /** One ASCII character, by its code. */
  char(code: number): void {
    this.room(1);
    this.bytes[this.length++] = code;
  }

  /** Text already encoded as UTF-8 (a short one: it is copied a byte at a time). */
  encoded(utf8: Uint8Array): void {
    this.room(utf8.length);
    const { bytes } = this;
    let at = this.length;
    for (let i = 0; i < utf8.length; i++) {
      const byte = utf8[i] as number;
      if (byte >= 0x80) this.onlyAscii = false;
      bytes[at++] = byte;
    }
    this.length = at;
  }

  /** A safe integer in decimal, as `String` writes it. */
  integer(value: number): void {
    this.room(17);
    let n = value;
    if (n < 0) {
      this.bytes[this.length++] = 0x2d;
      n = -n;
    }
    const { bytes } = this;
    let digits = 1;
    for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      bytes[--at] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** A whole number of tenths as the decimal `String(tenths / 10)` writes (`-1.5`, `17`, `0.3`). */
  tenths(tenths: number): void {
    if (tenths < 0) this.char(0x2d);
    const magnitude = Math.abs(tenths);
    this.integer(Math.floor(magnitude / 10));
    const decimal = magnitude % 10;
    if (decimal !== 0) {
      this.char(0x2e);
      this.char(0x30 + decimal);
    }
  }

  /** Everything written since the last `take`, as text; the writer starts again, empty. */
  take(): string {
    const text = this.bytes.toString(this.onlyAscii ? 'latin1' : 'utf8', 0, this.length);
    this.length = 0;
    this.onlyAscii = true;
    return text;
  }

  private room(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}
