import type { z } from 'zod';
import type { Queryable } from '../db/pool.ts';
import type { DbPayment } from '../payments/payments.ts';
import type { KeyStore } from '../secrets/keys.ts';

/**
 * What a gateway face adds to the hosted checkout, for sessions that checkout.js opens with one of
 * its public key ids (checkout.js in the face's mode): who signs the result, the extra fields its
 * script reads off a failed payment, and that script. The faces are passed in by the routes
 * (src/faces/native/routes/checkout.ts, from src/contract/faces.ts): checkout imports none.
 */
export interface CheckoutFace {
  /**
   * What signs the result of a session opened with the key `keyRowId` (api_keys id): that key's
   * own secret, as the face's checkout does. Null when the key is not one of this face's.
   */
  signingSecret(db: Queryable, keys: KeyStore, tenantId: string, keyRowId: string): Promise<string | null>;
  /** Fields added to the session state's payment (for the face's script's payment.failed). */
  paymentFields(p: DbPayment): Record<string, unknown>;
  /** Their schemas, for the contract (each optional: a payment that did not fail has none). */
  paymentFieldSchemas: Record<string, z.ZodType>;
  /**
   * Its part of checkout.js (src/faces/<face>/public/checkout.js: the face's mode on top of the
   * generic `Sandpay`), served after Sandpay's own at /checkout.js, and at `path` as well (where
   * the face's own checkout script lives, e.g. /v1/checkout.js).
   */
  script: { file: string; path: string };
  /**
   * How long a payment made through a session opened with this face's key may stay authorized
   * uncaptured, from its creation, where the face's gateway has its own window (Razorpay: 3 days,
   * then auto-refunded). Unset: the ledger's (PAYMENT_AUTHORIZED_TTL_SECONDS, Stripe's 7 days).
   * What an expired authorization looks like is each face's view of the ledger's `expired`.
   */
  authorizationWindowSeconds?: number;
}
