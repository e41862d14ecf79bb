import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/config-error.js';
import { loadConfig } from '../../src/config/load-config.js';

const files: Record<string, string> = {
  '/alerts.json': JSON.stringify({
    rules: [{ name: 'frost', city: 'Manizales', metric: 'temperature', below: 2, forSeconds: 600 }],
    notify: [{ type: 'webhook', url: 'https://hooks.example.org/x', secretFile: '/hook-secret' }],
  }),
  '/hook-secret': 'k3y\n',
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

function configError(alerts: unknown): string {
  try {
    loadConfig({ ALERTS: JSON.stringify(alerts) }, readFile);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('ALERTS / ALERTS_FILE', () => {
  it('reads the rules and the targets with their secrets from files', () => {
    const { alerts } = loadConfig({ ALERTS_FILE: '/alerts.json', PORT: '5001', HOST: '127.0.0.1' }, readFile);
    assert.equal(alerts.rules[0]?.name, 'frost');
    assert.deepEqual(alerts.targets, [
      {
        type: 'webhook',
        name: 'webhook-1',
        url: 'https://hooks.example.org/x',
        secretFile: '/hook-secret',
        secret: 'k3y',
        format: 'json',
      },
    ]);
    assert.equal(alerts.pageUrl, 'http://127.0.0.1:5001/');
    assert.equal(alerts.system.backupAgeSeconds, 1800, 'three backup intervals');
  });

  it('has the built-in rules on and no targets when unset', () => {
    const { alerts } = loadConfig({}, readFile);
    assert.deepEqual(alerts.rules, []);
    assert.deepEqual(alerts.targets, []);
    assert.equal(alerts.system.cloudUnreachableSeconds, 300);
  });

  it('names the bad entry', () => {
    assert.match(
      configError({ rules: [{ name: 'frost', city: 'X', metric: 'frost', below: 1 }] }),
      /rules\[0\]\.metric \("frost"\)/,
    );
    assert.match(
      configError({ rules: [{ name: 'hot', city: 'X', metric: 'temperature', above: 1, below: 0 }] }),
      /rules\[0\] \("hot"\): give exactly one of "above" or "below"/,
    );
    assert.match(
      configError({ rules: [{ name: 'old', city: 'X', metric: 'staleness' }] }),
      /staleness takes "above"/,
    );
    assert.match(configError({ notify: [{ type: 'pager' }] }), /notify\[0\]/);
    assert.match(
      configError({ notify: [{ type: 'webhook', url: 'https://x.org', secretFile: '/nope' }] }),
      /notify\[0\] \("webhook-1"\)\.secretFile: cannot read \/nope: ENOENT/,
    );
    assert.match(configError('not json'), /^ALERTS: /);
  });
});
