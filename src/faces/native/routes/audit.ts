import { z } from 'zod';
import { createCheckpoint, verifyAllChains } from '../../../audit/checkpoints.ts';
import { openCheckpointToken } from '../../../audit/checkpoint-sig.ts';
import { listCheckpoints } from '../../../audit/stored-checkpoints.ts';
import { verifyChain, verifyChainSinceCheckpoint } from '../../../audit/verify.ts';
import { findVerification, startFullVerification } from '../../../audit/full-verification.ts';
import {
  adminCheckpointBody,
  chainVerificationObject,
  checkpointObject,
  publicKeyObject,
  verificationObject,
  verifyAllObject,
  verifyQuery,
} from '../../../audit/schemas.ts';
import { badRequest, notFound } from '../../../core/errors.ts';
import { listOf, pageQuery } from '../../../core/schemas.ts';
import { byId, pageArgs, route } from '../../../routing/route.ts';

const tag = 'Audit';

export const auditRoutes = [
  route({
    method: 'get', path: '/api/v1/audit/verify', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, summary: "Verify this tenant's audit chain",
    description: 'Checks the rows since the newest signed checkpoint (keyed MAC and chain hash; the row at its seq must still hold its head hash), at a cost that does not grow with the history: each checkpoint was signed after the rows since its predecessor verified (`from_seq` says where the pass began; the whole chain when there is no checkpoint or something is wrong). With `checkpoint`, one you kept: the whole log, which must extend it.',
    query: verifyQuery, response: chainVerificationObject,
    handler: ({ svc, ctx, query: q }) => {
      if (q.checkpoint === undefined) return verifyChainSinceCheckpoint(svc, ctx.tenant.id);
      const supplied = openCheckpointToken(svc.audit.keys.signer, q.checkpoint);
      if (!supplied || supplied.chain !== ctx.tenant.id) {
        throw badRequest('checkpoint_invalid', "checkpoint is not a checkpoint token of this tenant's chain signed by this Sandpay", 'checkpoint');
      }
      return verifyChain(svc, ctx.tenant.id, { supplied: { ...supplied, source: 'supplied' } });
    },
  }),
  route({
    method: 'post', path: '/api/v1/audit/verifications', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, status: 201, summary: "Verify this tenant's whole audit chain in the background",
    description: 'Creates and queues a pass over every row from seq 1 and every checkpoint (what GET /audit/verify checks only since the newest checkpoint). Poll GET /audit/verifications/{id}: rows_checked of rows_total, then the result.',
    response: verificationObject,
    handler: ({ svc, ctx }) => startFullVerification(svc, ctx.tenant.id),
  }),
  route({
    method: 'get', path: '/api/v1/audit/verifications/:id', auth: 'secret', permission: { resource: 'audit', level: 'read' }, tag, summary: 'A background verification: its progress, then its result',
    params: byId('auditVerification', 'audit verification'), response: verificationObject,
    handler: async ({ db, ctx, params: p }) => {
      const found = await findVerification(db, ctx.tenant.id, p.id);
      if (!found) throw notFound('audit verification');
      return found;
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
