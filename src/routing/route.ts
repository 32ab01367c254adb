import type { Response } from 'express';
import { z } from 'zod';
import type { DomainError } from '../core/errors.ts';
import type { Db, Queryable, Tx } from '../db/pool.ts';
import { ID_PREFIXES, idBodyPattern, idLength, type IdKind } from '../ids.ts';
import type { Actor } from '../core/context.ts';
import type { Ctx, Services } from '../services.ts';
import type { Permission } from '../credentials/permissions.ts';
import type { DashboardSession } from '../dashboard/sessions.ts';
import type { EventStreamQuery } from '../events/stream.ts';
import type { HttpFace } from './http-face.ts';

/**
 * Who may call a route. `secret`: a tenant's secret key; `publishable`: the secret key or the
 * publishable key (browser checkout); `admin`: the operator's token; `session`: a dashboard
 * session only (either kind); `none`: anyone. Routes that take the secret key also take a
 * tenant's dashboard session cookie, and admin routes an operator's, so the dashboard calls the
 * same API; a session request on any method but GET must carry the session's X-CSRF-Token.
 * `face`: the credential of the route's gateway face (`face.authenticate`, e.g. Razorpay's HTTP
 * Basic key pair), which acts as the tenant's secret key.
 */
export type Auth = 'secret' | 'publishable' | 'admin' | 'session' | 'face' | 'none';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A schema for a route's path or query parameters: an object of fields. */
type Fields = z.ZodObject;
type NoFields = z.ZodObject<{}>;

interface CallBase<P extends Fields, Q extends Fields, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  svc: Services;
  actor: Actor;
  requestId: string;
  /** The key type of a tenant call (secret or publishable), null otherwise. A tenant session acts as the secret key. */
  keyType: 'secret' | 'publishable' | null;
  /** The dashboard session that authenticated the call, if a session did. */
  session: DashboardSession | null;
  /** A gateway face's key (api_keys id) that authenticated the call, if one did: its own auth, or its key id from checkout.js. */
  faceKeyId: string | null;
  /** A request header (Origin, for the checkout's opener check). */
  header(name: string): string | undefined;
  /** Where this Sandpay is, as the caller reached it (PUBLIC_URL behind a proxy): for links it answers. */
  baseUrl: string;
  /** What only the HTTP layer can do, supplied by the adapter: the contract knows no cookies or streams. */
  web: WebHelpers;
}

export interface WebHelpers {
  setSessionCookie(res: Response, token: string, expiresAt: Date): void;
  clearSessionCookie(res: Response): void;
  /** Serves the tenant's events as server-sent events on this response. */
  streamEvents(tenantId: string, q: EventStreamQuery, res: Response): Promise<void>;
  /** This server's Prometheus registry (text exposition). */
  prometheus: { contentType: string; metrics(): Promise<string> };
}

type TenantPart<A extends Auth> = A extends 'secret' | 'publishable' | 'face' ? { ctx: Ctx } : A extends 'session' ? { ctx: Ctx | undefined } : { ctx?: undefined };

/** A read runs on the pool; a write gets the transaction the adapter opened (and claimed the Idempotency-Key in). */
type DbPart<W extends boolean> = W extends true ? { t: Tx; db: Queryable } : { db: Db };

export type Call<A extends Auth, P extends Fields, Q extends Fields, B extends z.ZodType, W extends boolean> = CallBase<P, Q, B> &
  TenantPart<A> &
  DbPart<W>;

/**
 * An error answer whose changes still commit: returned, not thrown, by a write handler (a declined
 * card: the failed attempt is kept, the answer is the face's card error, and a replay of its
 * Idempotency-Key answers the same). Its status must be among the route's `errors`.
 */
export class Refusal {
  readonly error: DomainError;
  constructor(error: DomainError) {
    this.error = error;
  }
}

/** Rare answers that are not JSON (HTML, Prometheus text, a stream) write to the response themselves. */
export interface RawReply {
  raw: (res: Response) => void | Promise<void>;
}

export interface RouteDef<A extends Auth, P extends Fields, Q extends Fields, B extends z.ZodType, W extends boolean> {
  method: Method;
  /** Express-style path, e.g. /api/v1/payments/:id. */
  path: string;
  auth: A;
  /**
   * What a restricted key or a service token needs to call this tenant route (the secret key may
   * call any). A tenant route without one is for the secret key only: credentials and settings.
   */
  permission?: Permission;
  summary: string;
  description?: string;
  tag: string;
  /**
   * The gateway face this route belongs to (absent: Sandpay's own API): its credential (with
   * `auth: 'face'`), the statuses and shape of its errors, its Idempotency-Key dialect.
   */
  face?: HttpFace;
  params?: P;
  query?: Q;
  body?: B;
  /** A valid request body: shown in the reference docs, and sent by the test sweeps so ownership, not validation, decides. */
  example?: Record<string, unknown>;
  /** The transaction is opened by the adapter; `Idempotency-Key` is honoured on writes unless `idempotency` is 'none'. */
  write?: W;
  idempotency?: 'required' | 'optional' | 'none';
  /**
   * For a write without an API key (the hosted checkout page, whose session id is its
   * credential): the tenant and the key space its Idempotency-Keys belong to.
   */
  idempotencyScope?: (call: Call<A, P, Q, B, false>) => Promise<{ tenantId: string; space: string }>;
  /** Success status and the schema of its body (a string for non-JSON answers). */
  status?: 200 | 201 | 202;
  response: z.ZodType;
  /** Content type of a non-JSON answer (then the handler returns a RawReply). */
  produces?: string;
  /**
   * Fields of the answer shown once (a new signing secret): never stored with the Idempotency-Key,
   * so a replay omits them instead of handing out a secret that may have been rotated since.
   */
  shownOnce?: string[];
  /** Error statuses this route can answer beyond the ones implied by auth and input (400, 401, 403, 429, 503). */
  errors?: number[];
  /** Per-IP limit (registration and public writes); tenant routes are always limited per tenant. */
  rateLimit?: 'register' | 'ip';
  /** Work that must happen before the transaction opens (DNS for SSRF checks): never inside one. */
  prepare?: (call: Call<A, P, Q, B, false>) => Promise<void>;
  handler: (call: Call<A, P, Q, B, W>) => Promise<unknown>;
}

export type AnyRoute = RouteDef<Auth, Fields, Fields, z.ZodType, boolean>;

/** Type-checks one route's handler against its own schemas, then erases the types for the table. */
export function route<A extends Auth, P extends Fields = NoFields, Q extends Fields = NoFields, B extends z.ZodType = NoFields, W extends boolean = false>(
  def: RouteDef<A, P, Q, B, W>,
): AnyRoute {
  return def as unknown as AnyRoute;
}

const ID_KINDS = new WeakMap<z.ZodType, IdKind>();

/** A path id of one kind; anything else is "no such object" without a query. */
export function idParam(kind: IdKind, name: string) {
  const schema = z
    .string()
    .regex(new RegExp(`^${ID_PREFIXES[kind]}_${idBodyPattern(kind)}$`))
    .meta({ title: name, description: `A ${name} id (${ID_PREFIXES[kind]}_…)`, example: `${ID_PREFIXES[kind]}_${'0'.repeat(idLength(kind))}` });
  ID_KINDS.set(schema, kind);
  return schema;
}

/** The kind of object a route's `:id` names, if it has one. */
export function idKindOf(route: AnyRoute): IdKind | undefined {
  const id = route.params?.shape.id as z.ZodType | undefined;
  return id ? ID_KINDS.get(id) : undefined;
}

export const byId = (kind: IdKind, name: string) => z.strictObject({ id: idParam(kind, name) });

/** One page of a tenant-scoped (or operator) list, from the standard query fields. */
export function pageArgs(q: { limit: number; starting_after?: string | undefined; ending_before?: string | undefined }) {
  return { limit: q.limit, startingAfter: q.starting_after, endingBefore: q.ending_before };
}
