/**
 * The folder holding package.json and public/. Every build of this module sits two folders
 * below it: src/core/ (run through tsx), dist/core/ (tsc) and dist/bundle/ (the bundled CLI,
 * scripts/bundle.mjs), so the same relative URL serves all three.
 */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);
