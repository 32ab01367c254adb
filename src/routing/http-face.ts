import type { z } from 'zod';
import type { DomainError } from '../core/errors.ts';
import type { Services } from '../services.ts';
import type { DbTenant } from '../tenants/types.ts';

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
  /**
   * Its routes take Sandpay's own keys, which its clients may send in another form (Stripe's curl
   * examples send `-u sk_test_…:`, HTTP Basic): the Bearer header that form means, if it is one.
   */
  bearerOf?(authorization: string | undefined): string | undefined;
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
  /**
   * Its paths a page on another origin calls with a publishable key (Stripe.js's confirm and
   * retrieve): answered to CORS from any origin, as each such route checks the page's Origin
   * against the tenant's checkout.allowed_origins itself.
   */
  browserPaths?: RegExp;
  /** Whether its writes honour `Idempotency-Key` (Razorpay's API has none, and its SDK sends none). */
  idempotencyKey: boolean;
}
