import type { Db } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import { assertKeyMatchesDatabase } from '../secrets/fingerprint.ts';
import type { KeyStore } from '../secrets/keys.ts';
import type { Services } from '../services.ts';
import { createSealer, type Sealer } from './sealer.ts';

/** What audit code needs wherever it runs: the keys, the sealer and the checkpoint file's folder. */
export interface AuditContext {
  keys: KeyStore;
  sealer: Sealer;
  log: Logger;
  dataDir: string;
}

const AUDIT = Symbol('sandpay audit');

/**
 * The audit context of a Db or a Tx. It is attached to the Db once at start-up rather than passed
 * down: every audit row is MACed in the transaction that writes it, and a dozen domain functions
 * that write audit rows only hold a Tx.
 */
export function auditContextOf(source: { attachments: ReadonlyMap<symbol, unknown> }): AuditContext {
  const ctx = source.attachments.get(AUDIT) as AuditContext | undefined;
  if (!ctx) throw new Error('the audit log is not set up on this database handle (call startAudit at start-up)');
  return ctx;
}

/**
 * Sets the audit log up on the process's Db: refuses a master key other than the one the
 * database was first used with, attaches keys and sealer, and starts the sealer's backstop.
 */
export async function startAudit(svc: Pick<Services, 'db' | 'keys' | 'log' | 'config'>): Promise<{ sealer: Sealer; stop(): Promise<void> }> {
  await assertKeyMatchesDatabase(svc.db, svc.keys);
  const sealer = createSealer(svc.db, svc.keys, svc.log, { delayMs: svc.config.audit.sealDelayMs });
  attach(svc.db, { keys: svc.keys, sealer, log: svc.log, dataDir: svc.config.dataDir });
  sealer.start();
  return { sealer, stop: () => sealer.stop() };
}

function attach(db: Db, ctx: AuditContext): void {
  db.attachments.set(AUDIT, ctx);
}
