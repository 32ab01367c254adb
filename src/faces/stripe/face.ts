import type { GatewayFace } from '../../routing/face.ts';
import { stripeHttpFace } from './http-face.ts';
import { stripeRoutes } from './routes.ts';
import { stripeWebhookFace } from './webhook-face.ts';

/** Stripe's API (test mode), as one face: listed in src/contract/faces.ts before Razorpay, which shares /v1. */
export const stripeFace: GatewayFace = {
  http: stripeHttpFace,
  routes: stripeRoutes,
  webhook: stripeWebhookFace,
};
