/** The newest stored reading of a subject (a city, or a station), as rules see it. */
export interface LatestReading {
  readonly subject: string;
  readonly temperature: number;
  readonly humidity: number;
  readonly takenAt: Date;
}

/**
 * Since when each built-in rule's problem has lasted; undefined: no problem now, or (for the
 * backup) nothing to judge by in this process.
 */
export interface SystemInputs {
  /** The database (the cloud, in the hybrid deployment) unreachable since. */
  readonly cloudUnreachableSince?: Date;
  /** The outbox's oldest waiting reading, taken at. */
  readonly outboxOldestTakenAt?: Date;
  /** The local store (the outbox file, or the embedded database) failing since. */
  readonly storageFailingSince?: Date;
  /** The newest backup, taken at; null: a backup folder without a backup. */
  readonly lastBackupAt?: Date | null;
}

/** Everything one evaluation looks at. */
export interface AlertInputs {
  /**
   * The configured cities and stations: staleness watches them even before their first reading.
   * A station is a subject of its own, so a rule may name it and a silent station is noticed.
   */
  readonly subjects: readonly string[];
  readonly latest: readonly LatestReading[];
  readonly system: SystemInputs;
}
