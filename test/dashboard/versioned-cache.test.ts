import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVersionedCache } from '../../src/dashboard/versioned-cache.js';

describe('the versioned cache', () => {
  it('builds an answer once per version and shares a build in flight', async () => {
    const cache = createVersionedCache<string>();
    let builds = 0;
    const build = async () => `page ${++builds}`;
    const pages = await Promise.all([cache.get('en', 'v1', build), cache.get('en', 'v1', build)]);
    assert.deepEqual(pages, ['page 1', 'page 1']);
    assert.equal(await cache.get('en', 'v1', build), 'page 1');
    assert.equal(await cache.get('en', 'v2', build), 'page 2');
    assert.equal(await cache.get('es', 'v2', build), 'page 3');
    assert.equal(await cache.get('en', 'v2', build), 'page 2');
  });

  it('forgets a failed build, so the next request builds again', async () => {
    const cache = createVersionedCache<string>();
    await assert.rejects(
      cache.get('en', 'v1', async () => {
        throw new Error('database gone');
      }),
      /database gone/,
    );
    assert.equal(await cache.get('en', 'v1', async () => 'built'), 'built');
  });

  it('keeps at most its number of answers, dropping the oldest', async () => {
    const cache = createVersionedCache<string>({ maxEntries: 2 });
    let builds = 0;
    const build = async () => `page ${++builds}`;
    await cache.get('a', 'v', build);
    await cache.get('b', 'v', build);
    await cache.get('c', 'v', build);
    assert.equal(await cache.get('c', 'v', build), 'page 3');
    assert.equal(await cache.get('a', 'v', build), 'page 4');
  });
});
