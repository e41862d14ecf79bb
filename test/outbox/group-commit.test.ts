import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGroupCommit } from '../../src/outbox/group-commit.js';

describe('group commit', () => {
  it('runs one commit for the calls of one turn, each resolved with its own result, in order', async () => {
    const commits: string[][] = [];
    const commit = createGroupCommit((groups: readonly string[]) => {
      commits.push([...groups]);
      return groups.map((group) => group.toUpperCase());
    });
    const first = await Promise.all([commit('a'), commit('b'), commit('c')]);
    assert.deepEqual(first, ['A', 'B', 'C']);
    assert.deepEqual(await commit('d'), 'D');
    assert.deepEqual(commits, [['a', 'b', 'c'], ['d']]);
  });

  it('rejects every call of a failed commit with its error, and commits the next turn afresh', async () => {
    let fail = true;
    const commit = createGroupCommit((groups: readonly number[]) => {
      if (fail) throw new Error('disk full');
      return groups.map((n) => n * 2);
    });
    const outcomes = await Promise.allSettled([commit(1), commit(2)]);
    assert.deepEqual(
      outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : '')),
      ['disk full', 'disk full'],
    );
    fail = false;
    assert.equal(await commit(3), 6);
  });

  it('takes calls made while a commit runs into the next one', async () => {
    const commits: number[][] = [];
    let inner: Promise<number> | undefined;
    const commit = createGroupCommit((groups: readonly number[]) => {
      commits.push([...groups]);
      inner ??= commit(99);
      return [...groups];
    });
    await commit(1);
    assert.equal(await inner, 99);
    assert.deepEqual(commits, [[1], [99]]);
  });
});
