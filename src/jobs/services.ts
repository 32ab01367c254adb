import type { Config } from '../config.ts';
import type { Db } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import type { KeyStore } from '../secrets/keys.ts';
import type { PgBoss } from './boss.ts';

/**
 * The services every capability may use, the first slice of the wired set: each capability above
 * declares the slice it needs in its own folder (its services.ts), built from the slices below it,
 * and src/services.ts is their intersection, wired once at start-up (src/runtime.ts).
 */
export interface BaseServices {
  db: Db;
  boss: PgBoss;
  config: Config;
  log: Logger;
  /** Keys derived from the master key (audit MACs, checkpoint signatures, encrypted secrets). */
  keys: KeyStore;
}
