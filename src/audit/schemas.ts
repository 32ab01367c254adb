import { z } from 'zod';
import { isoTime } from '../core/schemas.ts';

export const auditEntryObject = z
  .looseObject({
    object: z.literal('audit_entry'),
    seq: z.number().int().nullable(),
    object_type: z.string(),
    object_id: z.string(),
    action: z.string(),
    old_status: z.string().nullable(),
    new_status: z.string().nullable(),
    actor: z.looseObject({ type: z.string(), id: z.string().nullable() }),
    request_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: isoTime,
  })
  .meta({ id: 'AuditEntry' });

export const chainVerificationObject = z
  .looseObject({
    ok: z.boolean(),
    chain: z.string(),
    rows_checked: z.number().int().meta({ description: 'Sealed rows read' }),
    from_seq: z.number().int().meta({ description: "Where the pass began: the seq of the newest checkpoint that verifies (the rows up to it were verified when it was signed), or 0 for the whole chain. GET /audit/verify starts there; POST /audit/verifications reads the whole chain in the background" }),
    unsealed_rows: z.number().int().meta({ description: 'Rows committed but not chained yet (their MACs are checked too)' }),
    legacy_rows: z.number().int().meta({ description: 'Rows from before the keyed chain, accepted only at its start, up to where they ended when it began' }),
    head: z.strictObject({ seq: z.number().int(), hash: z.string() }).nullable(),
    checkpoints_checked: z.number().int().meta({ description: 'Checkpoints with a valid signature the log was checked against' }),
    checkpoints: z.array(
      z.strictObject({
        seq: z.number().int(),
        head_hash: z.string(),
        created_at: isoTime,
        source: z.enum(['database', 'file', 'supplied']),
        ok: z.boolean().nullable().meta({ description: 'Whether the log extends this checkpoint; null when an earlier problem stopped the check' }),
      }),
    ).meta({ description: 'The newest checkpoint of each source, and every one the log does not extend' }),
    first_bad_seq: z.number().int().nullable().optional().meta({ description: 'null for an unsealed row; absent when no row is to blame' }),
    first_bad_row_id: z.number().int().optional(),
    reason: z.enum(['edited', 'missing', 'inserted', 'truncated', 'rewritten', 'forged_checkpoint', 'forged_boundary']).optional(),
    detail: z.string().optional(),
  })
  .meta({ id: 'AuditVerification' });

export const verifyQuery = z.strictObject({
  checkpoint: z.string().min(1).max(4000).optional().meta({ description: 'A checkpoint `token` you kept (from its audit.checkpoint event): the log must extend it' }),
});

export const checkpointObject = z
  .looseObject({
    object: z.literal('audit_checkpoint'),
    id: z.string(),
    chain: z.string(),
    seq: z.number().int(),
    head_hash: z.string(),
    row_count: z.number().int(),
    created_at: isoTime,
    key_id: z.string(),
    algorithm: z.literal('Ed25519'),
    payload: z.string().meta({ description: 'The exact UTF-8 text signed' }),
    signature: z.string().meta({ description: 'base64url Ed25519 signature of payload' }),
    token: z.string().meta({ description: 'base64url(payload) + "." + signature, for GET /audit/verify?checkpoint=' }),
  })
  .meta({ id: 'AuditCheckpoint' });

export const publicKeyObject = z
  .strictObject({
    object: z.literal('audit_public_key'),
    algorithm: z.literal('Ed25519'),
    key_id: z.string(),
    pem: z.string().meta({ description: 'SPKI PEM; crypto.verify(null, Buffer.from(payload), pem, Buffer.from(signature, "base64url"))' }),
  })
  .meta({ id: 'AuditPublicKey' });

export const verifyAllObject = z
  .strictObject({
    ok: z.boolean(),
    chains_checked: z.number().int(),
    rows_checked: z.number().int(),
    failures: z.array(chainVerificationObject),
  })
  .meta({ id: 'AuditVerificationAll' });

export const adminCheckpointBody = z.strictObject({
  chain: z.string().min(1).max(100).meta({ description: 'A tenant id, or global' }),
});

export const verificationObject = z
  .looseObject({
    object: z.literal('audit_verification'),
    id: z.string(),
    chain: z.string(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']).meta({ description: 'succeeded: the pass ran to its end (its `result` says whether the chain verifies); failed: it could not run (`error`)' }),
    rows_checked: z.number().int().meta({ description: 'Sealed rows read so far (written after each batch of 2,000)' }),
    rows_total: z.number().int().nullable().meta({ description: "The chain's sealed rows when the pass began; null while queued" }),
    result: chainVerificationObject.nullable().meta({ description: 'What GET /audit/verify answers, for the whole chain (from_seq 0); null until succeeded' }),
    error: z.string().nullable(),
    created_at: isoTime,
    finished_at: isoTime.nullable(),
  })
  .meta({ id: 'AuditFullVerification' });

