import type { Tx } from '../db/pool.ts';
import type { ApiObject } from '../events/types.ts';
import type { Services } from '../services.ts';
import { systemCtx } from '../tenants/tenants.ts';
import { emitEvents } from './outbox.ts';

/** The checkpointSigned hook: a tenant gets its own copy of its chain's checkpoint (webhook, GET /events). */
export async function announceCheckpoint(t: Tx, svc: Services, chain: string, checkpoint: ApiObject): Promise<void> {
  const owner = chain === 'global' ? null : await systemCtx(t, chain);
  if (owner) emitEvents(t, svc, owner, [{ type: 'audit.checkpoint', object: checkpoint, paymentId: null }]);
}
