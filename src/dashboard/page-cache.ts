/**
 * How many pages are kept. The language, city, range and view the page offers make a few hundred
 * combinations at most, but an unknown city named in the address is part of the page (its notice),
 * so the oldest page makes room rather than the map growing with every address tried.
 */
const MAX_PAGES = 256;

/**
 * Built pages, one per key, each valid for one version of the state it shows. A page is built once
 * per version however many requests ask for it: concurrent requests share the build in flight, and
 * a build that fails is forgotten so that the next request tries again.
 */
export function createPageCache(options: { maxPages?: number } = {}) {
  const maxPages = options.maxPages ?? MAX_PAGES;
  const pages = new Map<string, { version: string; html: Promise<string> }>();
  return {
    page(key: string, version: string, build: () => Promise<string>): Promise<string> {
      const kept = pages.get(key);
      if (kept?.version === version) return kept.html;
      const html = build();
      pages.delete(key);
      pages.set(key, { version, html });
      if (pages.size > maxPages) pages.delete(pages.keys().next().value as string);
      html.catch(() => {
        if (pages.get(key)?.html === html) pages.delete(key);
      });
      return html;
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
