import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPageCache } from '../../src/dashboard/page-cache.js';

describe('the page cache', () => {
  it('builds a page once per version and shares a build in flight', async () => {
    const cache = createPageCache();
    let builds = 0;
    const build = async () => `page ${++builds}`;
    const pages = await Promise.all([cache.page('en', 'v1', build), cache.page('en', 'v1', build)]);
    assert.deepEqual(pages, ['page 1', 'page 1']);
    assert.equal(await cache.page('en', 'v1', build), 'page 1');
    assert.equal(await cache.page('en', 'v2', build), 'page 2');
    assert.equal(await cache.page('es', 'v2', build), 'page 3');
    assert.equal(await cache.page('en', 'v2', build), 'page 2');
  });

  it('forgets a failed build, so the next request builds again', async () => {
    const cache = createPageCache();
    await assert.rejects(
      cache.page('en', 'v1', async () => {
        throw new Error('database gone');
      }),
      /database gone/,
    );
    assert.equal(await cache.page('en', 'v1', async () => 'built'), 'built');
  });

  it('keeps at most its number of pages, dropping the oldest', async () => {
    const cache = createPageCache({ maxPages: 2 });
    let builds = 0;
    const build = async () => `page ${++builds}`;
    await cache.page('a', 'v', build);
    await cache.page('b', 'v', build);
    await cache.page('c', 'v', build);
    assert.equal(await cache.page('c', 'v', build), 'page 3');
    assert.equal(await cache.page('a', 'v', build), 'page 4');
  });
});
