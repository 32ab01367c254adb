import { randomBytes } from 'node:crypto';
import { randomBase62, sha256Hex } from '../ids.ts';

export type KeyType = 'secret' | 'publishable';
/**
 * What an api_keys row's type holds: one of the two key roles, or the name of the gateway face
 * whose key pair it is (src/faces/<face>/keys.ts), checked at the edge against the faces listed.
 */
export type StoredKeyType = string;

export const KEY_PREFIX: Readonly<Record<KeyType, string>> = { secret: 'sk_test_', publishable: 'pk_test_' };

export function generateApiKey(type: KeyType): { key: string; hash: string; last4: string } {
  const key = KEY_PREFIX[type] + randomBase62(32);
  return { key, hash: hashApiKey(key), last4: key.slice(-4) };
}

/** Keys are stored and looked up only by this hash. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function keyTypeOf(token: string): KeyType | null {
  if (token.startsWith(KEY_PREFIX.secret)) return 'secret';
  if (token.startsWith(KEY_PREFIX.publishable)) return 'publishable';
  return null;
}

/** Standard Webhooks secret: "whsec_" + base64 of 24 random bytes (the HMAC key). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
