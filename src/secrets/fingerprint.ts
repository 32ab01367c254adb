import type { Queryable } from '../db/pool.ts';
import type { KeyStore } from './keys.ts';

/**
 * The first process to use a database records its master key's fingerprint; a later process
 * with another key (a lost key file, a host without SANDPAY_MASTER_KEY) stops at start-up
 * instead of sealing with a key the others cannot verify.
 */
export async function assertKeyMatchesDatabase(db: Queryable, keys: KeyStore): Promise<void> {
  await db.rows(`INSERT INTO key_fingerprints (purpose, fingerprint) VALUES ('master', $1::text) ON CONFLICT (purpose) DO NOTHING`, [keys.fingerprint]);
  const row = await db.one<{ fingerprint: string }>(`SELECT fingerprint FROM key_fingerprints WHERE purpose = 'master'`);
  if (row.fingerprint !== keys.fingerprint) {
    throw new Error(
      `this database belongs to another master key (fingerprint ${row.fingerprint}, this process has ${keys.fingerprint}): ` +
        'start Sandpay with the SANDPAY_MASTER_KEY or DATA_DIR/master-key the database was first used with',
    );
  }
}
