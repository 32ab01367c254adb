import { razorpayWebhookFace } from '../razorpay/webhook-face.ts';
import { endpointSchemas } from '../webhooks/schemas.ts';

/**
 * The gateway faces this Sandpay serves besides its own, as webhooks see them: wired into the
 * services at start-up (src/runtime.ts) and into the endpoint schemas of the route table here.
 * A new face adds its own here.
 */
export const WEBHOOK_FACES = [razorpayWebhookFace] as const;

export const ENDPOINT_SCHEMAS = endpointSchemas(WEBHOOK_FACES);
