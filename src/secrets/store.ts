import type { Queryable } from '../db/pool.ts';

/** The SQL of the key_fingerprints table, which this folder owns. */

/** Records the master key's fingerprint, unless one is recorded already. */
export async function recordMasterFingerprint(db: Queryable, fingerprint: string): Promise<void> {
  await db.rows(`INSERT INTO key_fingerprints (purpose, fingerprint) VALUES ('master', $1::text) ON CONFLICT (purpose) DO NOTHING`, [fingerprint]);
}

/** The master key fingerprint the database was first used with. */
export function masterFingerprint(db: Queryable): Promise<{ fingerprint: string }> {
  return db.one<{ fingerprint: string }>(`SELECT fingerprint FROM key_fingerprints WHERE purpose = 'master'`);
}
