import type { z } from 'zod';
import type { CheckoutFace } from '../checkout/faces.ts';
import type { DomainError } from '../core/errors.ts';
import type { Tx } from '../db/pool.ts';
import type { Ctx, Services } from '../services.ts';
import type { DbTenant } from '../tenants/types.ts';
import type { WebhookFace } from '../webhooks/faces.ts';
import type { AnyRoute } from './route.ts';

/**
 * Enough of a request to tell which face it speaks to: an Express request, or what Node's HTTP
 * parser refused (its request line and headers, before Express saw it).
 */
export interface FaceRequest {
  /** The path, without the query. */
  path: string;
  header(name: string): string | undefined;
}

/** Who a face's credential is: the tenant, and the key it acts as. */
export interface FacePrincipal {
  tenant: DbTenant;
  /** The api_keys id (or another credential id) the audit rows name. */
  keyId: string;
  keyType: 'secret' | 'publishable';
  /** The face's own key (api_keys id) when one authenticated the call; checkout remembers it. */
  faceKeyId?: string;
}

/**
 * A gateway's HTTP dialect: which requests are its, its credential, and its errors. Sandpay's own
 * API is the default (a route without `face`); the http layer and the contract know the others
 * only through this interface, from the list in src/contract/faces.ts.
 */
export interface HttpFace {
  /** Its name: the api_keys type of its keys, the `format` of its webhook endpoints ("razorpay"). */
  name: string;
  /**
   * Whether a request is this face's: for the error shape of requests no route answers (no such
   * path, a body that is not JSON, bytes Node refused), and, where faces share paths (Stripe and
   * Razorpay both under /v1), which face's route serves it. The first face listed that claims a
   * request has it (so a face that claims by credential comes before one that claims by path).
   */
  claims(req: FaceRequest): boolean;
  /**
   * Its routes' credential (`auth: 'face'`), from the Authorization header; throws the
   * unauthenticated or forbidden DomainError to answer. No Express here: the http layer wraps it.
   * A face whose routes take Sandpay's own keys (`auth: 'secret'`, as Stripe's do) has none.
   */
  authenticate?(svc: Services, authorization: string | undefined): Promise<FacePrincipal>;
  /**
   * Its request encoding beyond JSON: a form-encoded body (`a[b][0]=x`), and the query string, as
   * the objects its routes' schemas read. Absent: JSON bodies and flat query strings, as Sandpay's own.
   */
  decode?: { form(raw: string): unknown; query(search: string): Record<string, unknown> };
  /** Headers every answer to one of its requests carries (Stripe's Request-Id), besides Sandpay's own. */
  answerHeaders?(req: FaceRequest, requestId: string): Record<string, string>;
  /** Its status for one of Sandpay's error statuses (KIND_TO_HTTP), e.g. Razorpay's 400 for a 404. */
  status(native: number): number;
  /**
   * Headers on an error Sandpay-Fault injected (a 5xx), for clients that take retry advice from
   * the gateway (stripe-node obeys Stripe-Should-Retry). `retrySafe`: the same request again
   * cannot do the work twice, as nothing was committed, or it only reads, or its Idempotency-Key
   * gives the committed answer back.
   */
  faultHeaders?(retrySafe: boolean): Record<string, string>;
  /** An error in its status and body (injected faults keep their own status and use the body). */
  errorReply(err: DomainError, requestId: string): { status: number; body: unknown };
  /** The schema of its error bodies; its meta `id` names it in the OpenAPI document. */
  errorSchema: z.ZodType;
  /** Its credential as an OpenAPI security scheme. */
  security: { name: string; scheme: Record<string, unknown> };
  /**
   * Whether its routes are in Sandpay's OpenAPI document. A face whose gateway publishes its own
   * (Stripe, whose SDK's types are its reference) and whose paths collide with another face's
   * under /v1 stays out: a document has one operation per path and method.
   */
  documented?: boolean;
  /** Whether its writes honour `Idempotency-Key` (Razorpay's API has none, and its SDK sends none). */
  idempotencyKey: boolean;
}

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
