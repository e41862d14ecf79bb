/** A device that sends its own readings, as STATIONS lists it. */
export interface Station {
  /** Unique; also its MQTT topic level (`clima/<name>/readings`) and its broker user name. */
  readonly name: string;
  /** The city its readings belong to (`ciudad`): they count in that city's charts. */
  readonly city: string;
  /** SHA-256 of its HTTP bearer token, 64 lowercase hex digits: the token itself is never stored. */
  readonly tokenSha256: string;
}

/**
 * Letters, digits, `-` and `_`: no MQTT wildcard (`+`, `#`), level separator (`/`) or `$`, and
 * nothing a Mosquitto ACL or password file would read differently.
 */
export const STATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
