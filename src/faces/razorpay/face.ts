import type { GatewayFace } from '../../routing/face.ts';
import { razorpayCheckout } from './checkout.ts';
import { razorpayHttpFace } from './http-face.ts';
import { razorpayKeyPair } from './key-pair.ts';
import { razorpayRoutes } from './routes.ts';
import { razorpayWebhookFace } from './webhook-face.ts';

/** Razorpay test mode, as one face: listed in src/contract/faces.ts. */
export const razorpayFace: GatewayFace = {
  http: razorpayHttpFace,
  routes: razorpayRoutes,
  webhook: razorpayWebhookFace,
  keyPair: razorpayKeyPair,
  checkout: razorpayCheckout,
};
