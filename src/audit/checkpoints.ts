import { stateError } from '../core/errors.ts';
import type { AuditServices, CheckpointServices } from './services.ts';
import { signCheckpoint } from './checkpoint-sig.ts';
import { chainsDueForCheckpoint, tenantChainsAfter } from './store.ts';
import { insertCheckpoint, newestCheckpoint, type CheckpointView } from './stored-checkpoints.ts';
import { verifyChain, type ChainVerification } from './verify.ts';

/** The job checkpoints a chain once its oldest row not yet covered by a checkpoint is this old. */
export const CHECKPOINT_AFTER_SECONDS = 300;

/**
 * Signs the chain's current head and publishes it: audit_checkpoints, an audit.checkpoint event
 * for the tenant (its own copy, by webhook or GET /events), and a line in DATA_DIR. Pending rows
 * are sealed first, and the rows since the previous checkpoint are verified, keyed (rows without
 * a MAC pass only within the chain's legacy boundary): a checkpoint never vouches for a log that
 * does not verify, nor past a newest checkpoint row that does not (409 audit_chain_invalid).
 */
export async function createCheckpoint<S extends CheckpointServices<S>>(svc: S, chain: string): Promise<CheckpointView> {
  const { audit } = svc;
  await audit.sealer.sealNow(chain);
  const { previous, forged } = await newestCheckpoint(svc.db, audit, chain);
  if (forged) {
    svc.log.error({ component: 'audit', chain, checkpoint: forged.id }, 'newest audit checkpoint does not verify; not checkpointed');
    throw stateError('audit_chain_invalid', `The newest checkpoint of the audit log (${forged.id}, at seq ${forged.seq}) does not verify with this Sandpay's signing key; it is not checkpointed`);
  }
  const check = await verifyChain(svc, chain, { latest: false, ...(previous ? { from: previous } : {}) });
  if (!check.ok) {
    svc.log.error({ component: 'audit', chain, reason: check.reason, first_bad_seq: check.first_bad_seq }, 'audit chain failed verification; not checkpointed');
    throw stateError('audit_chain_invalid', `The audit log failed verification (${check.reason}: ${check.detail}); it is not checkpointed`);
  }
  const head = check.head ?? (previous ? { seq: previous.seq, hash: previous.head_hash } : null);
  if (!head) throw stateError('audit_chain_empty', 'This audit chain has no rows to checkpoint');

  const signed = signCheckpoint(audit.keys.signer, { chain, seq: head.seq, head_hash: head.hash, row_count: head.seq, created_at: new Date().toISOString() });
  const view = await svc.db.tx(async (t) => {
    const v = await insertCheckpoint(t, signed);
    for (const hook of svc.hooks.checkpointSigned) await hook(t, svc, chain, v);
    return v;
  });
  try {
    await audit.checkpoints.append(view);
  } catch (err) {
    svc.log.error({ component: 'audit', chain, err }, 'could not append the checkpoint to the DATA_DIR file');
  }
  return view;
}

/**
 * The job: every chain whose oldest row not covered by a checkpoint is older than `olderThanSeconds`
 * gets one. Quiet chains are never checkpointed twice; a busy one once per interval.
 */
export async function checkpointDueChains<S extends CheckpointServices<S>>(svc: S, olderThanSeconds = CHECKPOINT_AFTER_SECONDS): Promise<{ created: number; failed: number }> {
  await svc.audit.sealer.sealAll();
  const due = await chainsDueForCheckpoint(svc.db, olderThanSeconds);
  let created = 0;
  let failed = 0;
  for (const { chain } of due) {
    try {
      await createCheckpoint(svc, chain);
      created++;
    } catch (err) {
      failed++;
      svc.log.error({ component: 'audit', chain, err }, 'audit checkpoint failed');
    }
  }
  return { created, failed };
}

/** The operator's sweep: every tenant's chain and the global one, one after another. */
export async function verifyAllChains(svc: Pick<AuditServices, 'db' | 'audit'>): Promise<{ ok: boolean; chains_checked: number; rows_checked: number; failures: ChainVerification[] }> {
  const failures: ChainVerification[] = [];
  let chains = 0;
  let rows = 0;
  const visit = async (chain: string) => {
    const v = await verifyChain(svc, chain);
    chains++;
    rows += v.rows_checked;
    if (!v.ok) failures.push(v);
  };
  await visit('global');
  for (let after = ''; ; ) {
    const page = await tenantChainsAfter(svc.db, after);
    for (const t of page) await visit(t.id);
    if (page.length < 500) break;
    after = page.at(-1)!.id;
  }
  return { ok: failures.length === 0, chains_checked: chains, rows_checked: rows, failures };
}
