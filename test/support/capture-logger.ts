import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/core/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger whose JSON lines are kept in memory, for tests that assert what was logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: LogLine[]; messages(): string[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text));
      done();
    },
  });
  const logger = pino({ level }, sink);
  return { logger, lines, messages: () => lines.map((line) => line.msg) };
}
