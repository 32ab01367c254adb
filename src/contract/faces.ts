import { razorpayWebhookFace } from '../faces/razorpay/webhook-face.ts';

/**
 * The gateway faces this Sandpay serves besides its own, as webhooks see them: wired into the
 * services at start-up (src/wiring.ts), into the webhook endpoint routes of the table, the CLI's
 * `listen --format`. A new face adds its own here.
 */
export const WEBHOOK_FACES = [razorpayWebhookFace] as const;
