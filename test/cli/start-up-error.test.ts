import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runClima } from '../support/run-clima.js';

describe('a port already in use', () => {
  let dir: string;
  let taken: Server;
  let port: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clima-port-'));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((resolve) => taken.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [command, variable] of [
    ['dashboard', 'PORT'],
    ['sensor', 'SENSOR_PORT'],
  ] as const) {
    it(`stops clima ${command} with exit 1 and one line naming the port and ${variable}`, async () => {
      const { code, stdout, stderr } = await runClima([command], {
        env: {
          HOST: '127.0.0.1',
          [variable]: String(port),
          DATA_DIR: join(dir, command),
          SENSOR_SOURCE: 'simulated',
        },
      });
      assert.equal(code, 1, stdout + stderr);
      const output = `${stdout}${stderr}`;
      const lines = output.split('\n').filter((line) => line.includes(String(port)));
      assert.equal(lines.length, 1, output);
      const line = JSON.parse(lines[0] ?? '');
      assert.equal(line.level, 60);
      assert.equal(
        line.msg,
        `port ${port} (${variable}) is already in use on 127.0.0.1: stop the process listening there, or set ${variable} to a free port`,
      );
      assert.doesNotMatch(output, /"stack"|\n\s+at /, 'no stack trace');
    });
  }
});
