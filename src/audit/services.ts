import type { Tx } from '../db/pool.ts';
import type { BaseServices } from '../jobs/services.ts';
import type { AuditContext } from './context.ts';
import type { CheckpointView } from './stored-checkpoints.ts';

/** What the audit log needs of the wired services: the base ones and its own context (keys, sealer, checkpoint file). */
export interface AuditServices extends BaseServices {
  /** The audit log's MAC key, sealer and checkpoint file: every audit row is MACed in its transaction. */
  audit: AuditContext;
}

/**
 * A reaction to a checkpoint signed and stored, in its transaction (wired in src/wiring.ts: the
 * tenant is sent an audit.checkpoint event). The audit log sits below the capability that
 * reacts, so it cannot name what that one needs: it passes on the services it was called with,
 * whole, as `S` (src/services.ts's Services, where they are wired).
 */
export type CheckpointSigned<S> = (t: Tx, svc: S, chain: string, checkpoint: CheckpointView) => Promise<void>;

/** The services a checkpoint is made with: the audit log's, and the hooks that react to it. */
export interface CheckpointServices<S> extends AuditServices {
  hooks: { checkpointSigned: ReadonlyArray<CheckpointSigned<S>> };
}
