import type { Queryable } from '../db/pool.ts';
import type { KeyStore } from './keys.ts';
import { masterFingerprint, recordMasterFingerprint } from './store.ts';

/**
 * The first process to use a database records its master key's fingerprint; a later process
 * with another key (a lost key file, a host without SANDPAY_MASTER_KEY) stops at start-up
 * instead of sealing with a key the others cannot verify.
 */
export async function assertKeyMatchesDatabase(db: Queryable, keys: KeyStore): Promise<void> {
  await recordMasterFingerprint(db, keys.fingerprint);
  const row = await masterFingerprint(db);
  if (row.fingerprint !== keys.fingerprint) {
    throw new Error(
      `this database belongs to another master key (fingerprint ${row.fingerprint}, this process has ${keys.fingerprint}): ` +
        'start Sandpay with the SANDPAY_MASTER_KEY or DATA_DIR/master-key the database was first used with',
    );
  }
}
