import path from 'node:path';
import { z } from 'zod';
import type { CheckoutFace } from '../../checkout/faces.ts';
import { razorpayKeySecret } from './keys.ts';
import { paymentErrorOf, RAZORPAY_AUTHORIZATION_WINDOW_SECONDS } from './status.ts';

/**
 * checkout.js in Razorpay mode (public/checkout.js: `Razorpay`, its options, razorpay_* results,
 * its payment.failed object). A session opened with a key_id signs its result with that pair's
 * key_secret, as Razorpay's checkout does, and its failed payments carry Razorpay's error fields.
 */
export const razorpayCheckout: CheckoutFace = {
  signingSecret: razorpayKeySecret,
  paymentFields(p) {
    const e = paymentErrorOf(p);
    return e ? { razorpay_error: { code: e.error_code, description: e.error_description, source: e.error_source, step: e.error_step, reason: e.error_reason } } : {};
  },
  paymentFieldSchemas: {
    /** A failed payment of a session opened with a Razorpay key: Razorpay's error fields, for checkout.js's payment.failed. */
    razorpay_error: z.strictObject({ code: z.string(), description: z.string(), source: z.string(), step: z.string(), reason: z.string() }).optional(),
  },
  // Where Razorpay's own script lives is https://checkout.razorpay.com/v1/checkout.js.
  script: { file: path.join(import.meta.dirname, 'public', 'checkout.js'), path: '/v1/checkout.js' },
  // Razorpay refunds a payment not captured within 3 days of its creation (its default, and the
  // longest its capture settings allow): the payment then reads refunded (status.ts).
  authorizationWindowSeconds: RAZORPAY_AUTHORIZATION_WINDOW_SECONDS,
};
