import { verify } from 'node:crypto';
import type { CheckpointSigner } from '../secrets/keys.ts';
import { canonicalJson } from '../core/canonical-json.ts';

/**
 * A checkpoint is the signed statement "chain C had `row_count` rows, the last at `seq` with
 * hash `head_hash`, at `created_at`". `payload` is the exact UTF-8 text signed with Ed25519;
 * anyone can check it with the public key and Node's crypto alone:
 *   crypto.verify(null, Buffer.from(payload), publicKeyPem, Buffer.from(signature, 'base64url'))
 * `token` packs both for GET /audit/verify?checkpoint=: base64url(payload) + '.' + signature.
 */
export interface CheckpointClaim {
  chain: string;
  seq: number;
  head_hash: string;
  row_count: number;
  created_at: string;
  key_id: string;
}

export interface SignedCheckpoint extends CheckpointClaim {
  payload: string;
  signature: string;
}

export function signCheckpoint(signer: CheckpointSigner, claim: Omit<CheckpointClaim, 'key_id'>): SignedCheckpoint {
  const full: CheckpointClaim = { ...claim, key_id: signer.keyId };
  const payload = canonicalJson({ type: 'sandpay.audit.checkpoint', v: 1, ...full });
  return { ...full, payload, signature: signer.sign(Buffer.from(payload)).toString('base64url') };
}

export const checkpointToken = (c: Pick<SignedCheckpoint, 'payload' | 'signature'>) => `${Buffer.from(c.payload).toString('base64url')}.${c.signature}`;

/** The claim inside a payload whose signature verifies with this process's key; null otherwise. */
export function openCheckpoint(signer: CheckpointSigner, payload: string, signature: string): SignedCheckpoint | null {
  let ok = false;
  try {
    ok = verify(null, Buffer.from(payload), signer.publicKey, Buffer.from(signature, 'base64url'));
  } catch {
    return null;
  }
  if (!ok) return null;
  const p = JSON.parse(payload) as Partial<CheckpointClaim> & { type?: string; v?: number };
  if (p.type !== 'sandpay.audit.checkpoint' || p.v !== 1 || typeof p.chain !== 'string' || !Number.isSafeInteger(p.seq) || typeof p.head_hash !== 'string') return null;
  return {
    chain: p.chain,
    seq: p.seq!,
    head_hash: p.head_hash,
    row_count: Number(p.row_count),
    created_at: String(p.created_at),
    key_id: String(p.key_id),
    payload,
    signature,
  };
}

/** A token from a caller (GET /audit/verify?checkpoint=); null when it is malformed or not ours. */
export function openCheckpointToken(signer: CheckpointSigner, token: string): SignedCheckpoint | null {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token.trim());
  if (!m) return null;
  return openCheckpoint(signer, Buffer.from(m[1]!, 'base64url').toString('utf8'), m[2]!);
}
