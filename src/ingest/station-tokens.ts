import { createHash, timingSafeEqual } from 'node:crypto';
import type { Station } from './station.js';

/**
 * The station a bearer token belongs to. Tokens are kept only as their SHA-256: the token's hash
 * finds the candidate station, and the two digests are then compared in constant time, so how
 * long a refusal takes says nothing about how close a guess was.
 */
export function stationTokens(stations: readonly Station[]) {
  const byHash = new Map(stations.map((station) => [station.tokenSha256, station]));
  return (token: string): Station | undefined => {
    const digest = createHash('sha256').update(token, 'utf8').digest();
    const station = byHash.get(digest.toString('hex'));
    if (station === undefined) return undefined;
    return timingSafeEqual(digest, Buffer.from(station.tokenSha256, 'hex')) ? station : undefined;
  };
}
