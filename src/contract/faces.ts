import { razorpayFace } from '../faces/razorpay/face.ts';
import { stripeFace } from '../faces/stripe/face.ts';
import type { GatewayFace } from '../routing/face.ts';

/**
 * The gateway faces this Sandpay serves besides its own, one line each (src/faces/<face>/face.ts):
 * their routes join the table, the http layer answers their requests in their dialect, their
 * webhook formats are wired into the services at start-up (src/wiring.ts) and the CLI's `listen
 * --format`, and their key pairs and checkout.js modes join Sandpay's own key and checkout routes.
 * Order matters where faces share paths: the first face that claims a request has it.
 */
export const FACES: readonly GatewayFace[] = [
  stripeFace, // /v1 with a Bearer key: before Razorpay, which has the rest of /v1
  razorpayFace,
];

/** The faces' webhook formats (Sandpay's own is built in: src/webhooks/faces.ts). */
export const WEBHOOK_FACES = FACES.flatMap((f) => (f.webhook ? [f.webhook] : []));

/** The faces' HTTP dialects, in order. */
export const HTTP_FACES = FACES.map((f) => f.http);
