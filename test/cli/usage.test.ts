import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runClima } from '../support/run-clima.js';

describe('clima command line', () => {
  it('prints the commands for --help and exits 0', async () => {
    const { code, stdout } = await runClima(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /Usage: clima <command>/);
    for (const command of ['start', 'sensor', 'migrate'])
      assert.match(stdout, new RegExp(`\\n  ${command} `));
  });

  it('prints one command help for <command> --help', async () => {
    const { code, stdout } = await runClima(['sensor', '--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: clima sensor/);
  });

  it('rejects an unknown command with the usage on stderr and exit 2', async () => {
    const { code, stdout, stderr } = await runClima(['launch']);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^clima: unknown command "launch"/);
    assert.match(stderr, /Usage: clima <command>/);
  });

  it('rejects an unknown flag with the command usage on stderr and exit 2', async () => {
    const { code, stderr } = await runClima(['sensor', '--fast']);
    assert.equal(code, 2);
    assert.match(stderr, /--fast/);
    assert.match(stderr, /Usage: clima sensor/);
  });

  for (const [name, value] of [
    ['SENSOR_INTERVAL_S', 'abc'],
    ['SENSOR_INTERVAL_S', '0'],
    ['DATABASE_URL', 'postgres://x'],
    ['CITIES', 'Foo:999:0'],
    ['SENSOR_SOURCE', 'magic'],
  ] as const) {
    it(`stops with exit 2 and one line naming ${name} when it is "${value}"`, async () => {
      const { code, stderr } = await runClima(['start'], { env: { [name]: value } });
      assert.equal(code, 2);
      const lines = stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0] ?? '', new RegExp(`^clima: invalid configuration: ${name}: expected `));
    });
  }
});
