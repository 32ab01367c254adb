import { z } from 'zod';
import type { KeyPairFace } from '../../routing/face.ts';
import { createRazorpayKey, RAZORPAY_KEY_PREFIX, rotateRazorpayKey } from './keys.ts';

/** A new Razorpay key pair, answered once: the key_secret is never shown again. */
const createdKeyObject = z.strictObject({
  object: z.literal('api_key'),
  id: z.string(),
  type: z.literal('razorpay'),
  key_id: z.string().meta({ description: 'rzp_test_…: the Razorpay key_id (public: checkout.js uses it as its key)' }),
  key_secret: z.string().meta({ description: 'Shown once: HTTP Basic password on /v1, and what checkout results are signed with' }),
});

/** Razorpay key pairs through Sandpay's key routes: POST /api/v1/auth/keys and /auth/keys/rotate with `{"type": "razorpay"}`. */
export const razorpayKeyPair: KeyPairFace = {
  type: 'razorpay',
  prefix: RAZORPAY_KEY_PREFIX,
  label: 'Razorpay',
  describe:
    '`{"type": "razorpay"}` answers `key_id` (rzp_test_…) and `key_secret` once. Use them with the official Razorpay SDK against /v1 and as checkout.js\'s `key`. The key_secret is stored encrypted (it signs checkout results); rotate the pair with POST /auth/keys/rotate {"type":"razorpay"}. 409 when the tenant already has one.',
  createBody: z.strictObject({
    type: z.literal('razorpay', { error: 'only "razorpay" key pairs are created here; rotate the others with POST /auth/keys/rotate' }),
  }),
  created: createdKeyObject,
  rotatedFields: {
    key_id: z.string().optional().meta({ description: 'rzp_test_…: the new Razorpay key pair (type razorpay)' }),
    key_secret: z.string().optional().meta({ description: 'Its key_secret: shown once' }),
  },
  async create(t, svc, ctx): Promise<z.output<typeof createdKeyObject>> {
    const pair = await createRazorpayKey(t, svc, ctx);
    return { object: 'api_key', id: pair.id, type: 'razorpay', key_id: pair.key_id, key_secret: pair.key_secret };
  },
  async rotate(t, svc, ctx, expireOldIn) {
    const pair = await rotateRazorpayKey(t, svc, ctx, expireOldIn);
    return { id: pair.id, fields: { key_id: pair.key_id, key_secret: pair.key_secret }, oldKeysExpireAt: pair.oldKeysExpireAt };
  },
};
