import { timingSafeEqual } from 'node:crypto';
import { auditIn } from '../../audit/append.ts';
import { conflict } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { newId, randomBase62, sha256Hex } from '../../ids.ts';
import type { KeyStore } from '../../secrets/keys.ts';
import type { Ctx, Services } from '../../services.ts';
import { hashApiKey } from '../../tenants/keys.ts';
import { rotateKey, type DbTenant } from '../../tenants/tenants.ts';
import { findKeyWithSecret, hasActiveKey, insertKeyWithSecret, keySecretCiphertext, lockTenantKeys } from '../../tenants/store.ts';

/**
 * Razorpay-style key pairs. The key_id (`rzp_test_` + 14 base62 characters) names the pair and
 * is public: checkout.js sends it from the browser, where it acts as a publishable key. The
 * key_secret authenticates server calls (HTTP Basic on /v1) and signs checkout results, so unlike
 * every other key it cannot be kept as a hash: it is stored AES-256-GCM encrypted with the master
 * key's secrets key, bound to its row id, shown once and never logged.
 */
export interface RazorpayKeyPair {
  /** The api_keys row. */
  id: string;
  key_id: string;
  key_secret: string;
}

/** What a key_id starts with. */
export const RAZORPAY_KEY_PREFIX = 'rzp_test_';

export function generateRazorpayKeyPair(): { key_id: string; key_secret: string } {
  return { key_id: RAZORPAY_KEY_PREFIX + randomBase62(14), key_secret: randomBase62(24) };
}

/** The associated data of a key_secret's ciphertext: a ciphertext moved to another row does not decrypt. */
const aadOf = (rowId: string) => `api_keys:${rowId}:key_secret`;

export async function insertRazorpayKey(t: Tx, keys: KeyStore, tenantId: string): Promise<RazorpayKeyPair> {
  const pair = generateRazorpayKeyPair();
  const id = newId('apiKey');
  await insertKeyWithSecret(t, {
    id, tenantId, type: 'razorpay', keyHash: hashApiKey(pair.key_id), last4: pair.key_id.slice(-4), secretCiphertext: keys.encrypt(pair.key_secret, aadOf(id)),
  });
  return { id, ...pair };
}

/** The first pair of a tenant (POST /auth/keys). With one already active, the answer says to rotate it instead. */
export async function createRazorpayKey(t: Tx, svc: Services, ctx: Ctx): Promise<RazorpayKeyPair> {
  // The tenant row lock that rotation takes too: two concurrent creations cannot both pass the check.
  await lockTenantKeys(t, ctx.tenant.id);
  if (await hasActiveKey(t, ctx.tenant.id, 'razorpay')) {
    throw conflict('key_exists', 'This tenant already has a Razorpay key pair; rotate it with POST /api/v1/auth/keys/rotate {"type":"razorpay"}', 'type');
  }
  const pair = await insertRazorpayKey(t, svc.keys, ctx.tenant.id);
  auditIn(t, svc, ctx, { objectType: 'api_key', objectId: pair.id, action: 'api_key.created', metadata: { type: 'razorpay' } });
  return pair;
}

/** Rotation as for every key type (src/tenants/tenants.ts): the old pair may keep working `expireOldIn` seconds. */
export function rotateRazorpayKey(t: Tx, svc: Services, ctx: Ctx, expireOldIn: number) {
  return rotateKey(t, svc, ctx, 'razorpay', expireOldIn, () => insertRazorpayKey(t, svc.keys, ctx.tenant.id));
}

export type RazorpayAuth =
  | { ok: true; keyRowId: string; tenant: DbTenant }
  | { ok: false; reason: 'unknown_key' | 'wrong_secret' };

/**
 * HTTP Basic `key_id:key_secret`: the pair by the key_id's hash (one indexed lookup, revoked
 * pairs never match), then the secret compared in constant time with the decrypted one.
 */
export async function authenticateRazorpayKey(db: Queryable, keys: KeyStore, keyId: string, secret: string): Promise<RazorpayAuth> {
  if (!keyId.startsWith(RAZORPAY_KEY_PREFIX)) return { ok: false, reason: 'unknown_key' };
  const row = await findKeyWithSecret(db, hashApiKey(keyId), 'razorpay');
  if (!row) return { ok: false, reason: 'unknown_key' };
  const expected = Buffer.from(sha256Hex(keys.decrypt(row.secret_ciphertext, aadOf(row.id))), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sha256Hex(secret), 'hex'))) return { ok: false, reason: 'wrong_secret' };
  return { ok: true, keyRowId: row.id, tenant: row.tenant };
}

/**
 * The key_secret of a pair by its row id, to sign a checkout result (null: no pair of the tenant's
 * has that id). A pair rotated away since the checkout opened still signs it: the merchant's
 * server verifies with the secret it had.
 */
export async function razorpayKeySecret(db: Queryable, keys: KeyStore, tenantId: string, keyRowId: string): Promise<string | null> {
  const ciphertext = await keySecretCiphertext(db, tenantId, keyRowId, 'razorpay');
  return ciphertext ? keys.decrypt(ciphertext, aadOf(keyRowId)) : null;
}
