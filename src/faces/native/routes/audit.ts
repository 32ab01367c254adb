import { z } from 'zod';
import { createCheckpoint, verifyAllChains } from '../../../audit/checkpoints.ts';
import { openCheckpointToken } from '../../../audit/checkpoint-sig.ts';
import { listCheckpoints } from '../../../audit/stored-checkpoints.ts';
import { verifyChain } from '../../../audit/verify.ts';
import {
  adminCheckpointBody,
  chainVerificationObject,
  checkpointObject,
  publicKeyObject,
  verifyAllObject,
  verifyQuery,
} from '../../../audit/schemas.ts';
import { badRequest } from '../../../core/errors.ts';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { pageArgs, route } from '../../../routing/route.ts';

const tag = 'Audit';

export const auditRoutes = [
  route({
    method: 'get', path: '/api/v1/audit/verify', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, summary: "Verify this tenant's audit chain",
    description: 'Checks every row (keyed MAC and chain hash), the latest checkpoints and, with `checkpoint`, one you kept: the log must extend it.',
    query: verifyQuery, response: chainVerificationObject,
    handler: ({ svc, ctx, query: q }) => {
      if (q.checkpoint === undefined) return verifyChain(svc, ctx.tenant.id);
      const supplied = openCheckpointToken(svc.audit.keys.signer, q.checkpoint);
      if (!supplied || supplied.chain !== ctx.tenant.id) {
        throw badRequest('checkpoint_invalid', "checkpoint is not a checkpoint token of this tenant's chain signed by this Sandpay", 'checkpoint');
      }
      return verifyChain(svc, ctx.tenant.id, { supplied: { ...supplied, source: 'supplied' } });
    },
  }),
  route({
    method: 'get', path: '/api/v1/audit/checkpoints', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, summary: "This tenant's signed audit checkpoints, newest first",
    query: z.strictObject(pageQuery), response: listOf(checkpointObject),
    handler: ({ db, svc, ctx, query: q }) => listCheckpoints(db, svc.audit, ctx.tenant.id, pageArgs(q)),
  }),
  route({
    method: 'post', path: '/api/v1/audit/checkpoints', auth: 'secret', permission: { resource: 'audit', level: 'write' }, tag, status: 201, summary: 'Sign a checkpoint of this tenant\'s audit chain now',
    description: 'Seals pending rows, verifies the rows since the previous checkpoint, signs the head and publishes it (audit.checkpoint event). 409 audit_chain_invalid when the log does not verify.',
    response: checkpointObject, errors: [409],
    handler: ({ svc, ctx }) => createCheckpoint(svc, ctx.tenant.id),
  }),
  route({
    method: 'get', path: '/api/v1/audit/public-key', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, summary: 'The Ed25519 public key that signs audit checkpoints',
    response: publicKeyObject,
    handler: async ({ svc }) => {
      const { signer } = svc.audit.keys;
      return { object: 'audit_public_key' as const, algorithm: signer.algorithm, key_id: signer.keyId, pem: signer.publicKeyPem };
    },
  }),
  route({
    method: 'get', path: '/api/v1/admin/audit/verify', auth: 'admin', tag, summary: 'Verify every audit chain (each tenant and global)',
    response: verifyAllObject,
    handler: ({ svc }) => verifyAllChains(svc),
  }),
  route({
    method: 'post', path: '/api/v1/admin/audit/checkpoints', auth: 'admin', tag, status: 201, summary: 'Sign a checkpoint of any chain now (a tenant id, or global)',
    body: adminCheckpointBody, response: checkpointObject, errors: [409],
    handler: ({ svc, body }) => createCheckpoint(svc, body.chain),
  }),
];
