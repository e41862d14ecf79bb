import { Writable } from 'node:stream';

/** A writable stream that keeps what is written, seen as a 200-column terminal when `isTTY`. */
export function capturedStream(isTTY: boolean) {
  let written = '';
  const sink = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        written += String(chunk);
        done();
      },
    }),
    { isTTY, columns: 200 },
  );
  return { sink, written: () => written };
}
