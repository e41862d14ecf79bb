/**
 * How many answers are kept. The page's language, city, range and view make a few hundred
 * combinations at most, but an address can name anything (an unknown city, any range), so the
 * oldest answer makes room rather than the map growing with every address tried.
 */
const MAX_ENTRIES = 256;

/**
 * Answers built once per version of the state they show, one per key (the page for a language,
 * city, range and view; a chart's buckets for a range). However many requests ask, an answer is
 * built once per version: concurrent requests share the build in flight, and a build that fails
 * is forgotten so that the next request tries again.
 */
export function createVersionedCache<T>(options: { maxEntries?: number } = {}) {
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const answers = new Map<string, { version: string; answer: Promise<T> }>();
  return {
    get(key: string, version: string, build: () => Promise<T>): Promise<T> {
      const kept = answers.get(key);
      if (kept?.version === version) return kept.answer;
      const answer = build();
      answers.delete(key);
      answers.set(key, { version, answer });
      if (answers.size > maxEntries) answers.delete(answers.keys().next().value as string);
      answer.catch(() => {
        if (answers.get(key)?.answer === answer) answers.delete(key);
      });
      return answer;
    },
  };
}

export type VersionedCache<T> = ReturnType<typeof createVersionedCache<T>>;
