import type { z } from 'zod';
import type { CheckoutFace } from '../checkout/faces.ts';
import type { Tx } from '../db/pool.ts';
import type { Ctx, Services } from '../services.ts';
import type { WebhookFace } from '../webhooks/faces.ts';
import type { HttpFace } from './http-face.ts';
import type { AnyRoute } from './route.ts';

export type { FacePrincipal, FaceRequest, HttpFace } from './http-face.ts';

/**
 * A key pair a face issues (a public key id and a secret), made and rotated through Sandpay's own
 * key routes (POST /api/v1/auth/keys and /auth/keys/rotate with `{"type": <its type>}`).
 */
export interface KeyPairFace {
  /** The api_keys type of its pairs: the face's name. */
  type: string;
  /** What its key ids start with ("rzp_test_"): they act as publishable keys, and key hints show it. */
  prefix: string;
  /** Whose pairs these are, for the routes' summaries ("Razorpay"). */
  label: string;
  /** What POST /auth/keys says of its type, for the reference. */
  describe: string;
  /** POST /auth/keys's body for its type (`{type: <literal>}`), and the answer. */
  createBody: z.ZodObject<{ type: z.ZodLiteral<string> }>;
  created: z.ZodType;
  /** The fields a rotation to a new pair answers besides the common ones (each optional). */
  rotatedFields: Record<string, z.ZodType>;
  /** The tenant's first pair, as `created`; a conflict when it has one already. */
  create(t: Tx, svc: Services, ctx: Ctx): Promise<unknown>;
  /** A new pair (its rotatedFields); the old ones keep working `expireOldIn` seconds. */
  rotate(t: Tx, svc: Services, ctx: Ctx, expireOldIn: number): Promise<{ id: string; fields: Record<string, unknown>; oldKeysExpireAt: Date }>;
}

/**
 * Everything that is only one gateway's, as its folder (src/faces/<face>/) hands it over: listed
 * once in src/contract/faces.ts, from where the route table, the http layer, the webhooks, the
 * tenant key routes and the hosted checkout take what they need.
 */
export interface GatewayFace {
  http: HttpFace;
  /** Its route table (rows with `face: http`). */
  routes: readonly AnyRoute[];
  /** Its webhook endpoints' format: event names, body, signature. */
  webhook?: WebhookFace;
  /** The key pairs it issues (api_keys rows of type `http.name`). */
  keyPair?: KeyPairFace;
  /** Its checkout.js mode (sessions opened with its key ids). */
  checkout?: CheckoutFace;
}
