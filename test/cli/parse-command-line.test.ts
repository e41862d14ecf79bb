import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../src/cli/parse-command-line.js';
import { commandUsage } from '../../src/cli/usage.js';

describe('parsing the command line', () => {
  it('reads the options and positional arguments a command declares', () => {
    assert.deepEqual(parseCommandLine(['restore', 'x.json', '--dry-run']), {
      kind: 'run',
      command: 'restore',
      options: { 'dry-run': true },
      args: { FILE: 'x.json' },
    });
    assert.deepEqual(parseCommandLine(['backup', '--once', '--out', '/srv/b']), {
      kind: 'run',
      command: 'backup',
      options: { once: true, out: '/srv/b' },
      args: {},
    });
    assert.deepEqual(parseCommandLine(['start']), { kind: 'run', command: 'start', options: {}, args: {} });
  });

  it('knows two-word commands', () => {
    assert.deepEqual(parseCommandLine(['backup', 'verify', 'x.json']), {
      kind: 'run',
      command: 'backup verify',
      options: {},
      args: { FILE: 'x.json' },
    });
    assert.deepEqual(parseCommandLine(['backup', 'verify', '--help']), {
      kind: 'help',
      command: 'backup verify',
    });
    assert.deepEqual(parseCommandLine(['help', 'backup', 'verify']), {
      kind: 'help',
      command: 'backup verify',
    });
  });

  it('refuses options of another command, missing and extra arguments', () => {
    assert.deepEqual(parseCommandLine(['sensor', '--once']), {
      kind: 'error',
      command: 'sensor',
      message: 'unknown option "--once"',
    });
    assert.deepEqual(parseCommandLine(['restore']), {
      kind: 'error',
      command: 'restore',
      message: 'missing FILE',
    });
    assert.deepEqual(parseCommandLine(['migrate', 'now']), {
      kind: 'error',
      command: 'migrate',
      message: 'unexpected argument "now"',
    });
    assert.deepEqual(parseCommandLine(['help', 'launch']), {
      kind: 'error',
      message: 'unknown command "launch"',
    });
  });

  it('lists each command option in its usage', () => {
    assert.match(
      commandUsage('restore'),
      /\n {2}--dry-run {4}verify and compare with the database, write nothing\n/,
    );
    assert.match(commandUsage('backup'), /\n {2}--out DIR {3}write to DIR instead of BACKUP_DIR\n/);
  });
});
