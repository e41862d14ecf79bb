/** A well-mixed 32-bit hash of `text`: FNV-1a, then murmur3's finaliser so near keys differ in every bit. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A deterministic number in [0, 1) for `key`. */
export function unitHash(key: string): number {
  return hash32(key) / 2 ** 32;
}

/**
 * Smooth noise in [-1, 1] along time: a random value (a hash of `key` and the knot's index) at
 * every multiple of `periodMs`, eased between knots. A pure function of its arguments, so any
 * instant can be computed without the ones before it, and it never drifts.
 */
export function valueNoise(key: string, atMs: number, periodMs: number): number {
  const position = atMs / periodMs;
  const knot = Math.floor(position);
  const fraction = position - knot;
  const eased = fraction * fraction * (3 - 2 * fraction);
  const from = unitHash(`${key}#${knot}`) * 2 - 1;
  const to = unitHash(`${key}#${knot + 1}`) * 2 - 1;
  return from + (to - from) * eased;
}
