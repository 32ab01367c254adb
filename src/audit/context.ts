import type { Logger } from '../logger.ts';
import { assertKeyMatchesDatabase } from '../secrets/fingerprint.ts';
import type { KeyStore } from '../secrets/keys.ts';
import type { BaseServices } from '../jobs/services.ts';
import { checkpointFile, type CheckpointFile } from './checkpoint-file.ts';
import { createSealer, type Sealer } from './sealer.ts';

/** What audit code needs wherever it runs: the keys, the sealer and the checkpoint file. */
export interface AuditContext {
  keys: KeyStore;
  sealer: Sealer;
  log: Logger;
  checkpoints: CheckpointFile;
}

/**
 * Sets the audit log up for this process: refuses a master key other than the one the database
 * was first used with, and starts the sealer's backstop. The context goes into the process's
 * Services (every audit row is MACed in the transaction that writes it).
 */
export async function startAudit(svc: Pick<BaseServices, 'db' | 'keys' | 'log' | 'config'>): Promise<{ context: AuditContext; stop(): Promise<void> }> {
  await assertKeyMatchesDatabase(svc.db, svc.keys);
  const sealer = createSealer(svc.db, svc.keys, svc.log, { delayMs: svc.config.audit.sealDelayMs });
  sealer.start();
  const context: AuditContext = { keys: svc.keys, sealer, log: svc.log, checkpoints: checkpointFile(svc.config.dataDir, svc.keys.signer, svc.log) };
  return { context, stop: () => sealer.stop() };
}
