import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { HttpFace } from '../routing/face.ts';
import { Refusal, type AnyRoute, type RawReply, type WebHelpers } from '../routing/route.ts';
import type { Services } from '../services.ts';
import type { Permission } from '../credentials/permissions.ts';
import { DomainError, notFound } from '../core/errors.ts';
import { parseInput, refuseHostileInput } from '../core/validation.ts';
import { actorOf, requestId, tenantOf } from './context.ts';
import { checkKey, idempotent, type Answer } from './idempotency.ts';
import { checkAnswer, checkError } from './contract-check.ts';
import { errorAnswer, faceClaiming } from './errors.ts';
import { clearSessionCookie, setSessionCookie } from './middleware/session.ts';
import { serveEventStream } from './sse.ts';
import { describeFaults, faultsBefore, injectedError, parseFaultHeader, type Fault, type RandomFaults } from './faults.ts';
import { useClock } from '../tenants/clock.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The route-table entry that answered, for the error handler's contract check. */
      contract?: AnyRoute;
    }
  }
}

export interface Guards {
  /** This app's per-tenant random fault streams (settings.faults). */
  faults: RandomFaults;
  /** This app's Prometheus registry. */
  prometheus: WebHelpers['prometheus'];
  /**
   * Authentication for each kind of route, and the per-tenant limit that follows it. `permission`:
   * what a restricted key or service token needs here (null: the secret key only).
   */
  tenant: (allowPublishable: boolean, permission: Permission | null) => RequestHandler[];
  admin: RequestHandler[];
  /** Dashboard-session-only routes (sign-out, the session itself). */
  session: RequestHandler[];
  /** A gateway face's own credential (`auth: 'face'`), and the per-tenant limit. */
  face: (face: HttpFace) => RequestHandler[];
  register: RequestHandler;
  ip: RequestHandler;
}

/** A path parameter that fails its pattern names no object of ours: 404, without a query. */
function parseParams(route: AnyRoute, params: unknown) {
  if (!route.params) return {};
  const result = route.params.safeParse(params);
  if (result.success) return result.data;
  const field = Object.values(route.params.shape)[0] as z.ZodType | undefined;
  const name = result.error.issues[0]?.path[0];
  const given = typeof name === 'string' ? (params as Record<string, unknown>)[name] : undefined;
  const missing = notFound(String(field?.meta()?.title ?? 'object'));
  throw new DomainError(missing.kind, missing.code, missing.message, { param: missing.param, ...(typeof given === 'string' ? { malformedId: given } : {}) });
}

const omit = (body: unknown, fields: string[] | undefined) =>
  fields && body && typeof body === 'object' ? Object.fromEntries(Object.entries(body).filter(([k]) => !fields.includes(k))) : body;

/** The query string as the route's face reads it (Stripe's `created[gte]=…`, `expand[0]=…`), else Express's flat one. */
function queryOf(route: AnyRoute, req: Request): unknown {
  const decode = route.face?.decode;
  if (!decode) return req.query;
  const at = req.originalUrl.indexOf('?');
  return decode.query(at < 0 ? '' : req.originalUrl.slice(at + 1));
}

function parseBody(route: AnyRoute, body: unknown) {
  if (!route.body) return {};
  refuseHostileInput(body);
  return parseInput(route.body, body);
}

/** The HTTP layer's part of a handler's call (cookies, event streams). */
const webHelpers = (svc: Services, prometheus: WebHelpers['prometheus']): WebHelpers => ({
  setSessionCookie: (res, token, expiresAt) => setSessionCookie(res, token, expiresAt, svc.config.publicUrl),
  clearSessionCookie: (res) => clearSessionCookie(res, svc.config.publicUrl),
  streamEvents: (tenantId, q, res) => serveEventStream(svc, tenantId, q, res),
  prometheus,
});

/** Everything a handler gets besides the database. */
function callOf(route: AnyRoute, req: Request, svc: Services, web: WebHelpers) {
  const principal = req.principal;
  const tenantCall = route.auth === 'secret' || route.auth === 'publishable' || route.auth === 'face' || (route.auth === 'session' && principal?.kind === 'tenant');
  return {
    params: parseParams(route, req.params),
    query: route.query ? parseInput(route.query, queryOf(route, req)) : {},
    body: parseBody(route, req.body),
    svc,
    actor: actorOf(req),
    requestId: requestId(req),
    keyType: principal?.kind === 'tenant' ? principal.keyType : null,
    session: principal?.session ?? null,
    faceKeyId: principal?.kind === 'tenant' ? principal.faceKey?.id ?? null : null,
    header: (name: string) => req.header(name),
    baseUrl: (svc.config.publicUrl ?? `${req.protocol}://${req.get('host')}`).replace(/\/+$/, ''),
    web,
    ctx: tenantCall ? { tenant: tenantOf(req), actor: actorOf(req), requestId: requestId(req) } : undefined,
  };
}

async function answer(route: AnyRoute, req: Request, svc: Services, web: WebHelpers): Promise<Answer | RawReply> {
  const call = callOf(route, req, svc, web);
  if (route.prepare) await route.prepare({ ...call, db: svc.db } as never);
  const status = route.status ?? 200;
  if (!route.write) {
    const body = await route.handler({ ...call, db: svc.db } as never);
    if (route.produces) return body as RawReply;
    return { status, text: JSON.stringify(body), replayed: false };
  }
  const run = async (t: Parameters<Parameters<Services['db']['tx']>[0]>[0]) => {
    // A tenant's writes are dated on its clock (a no-op for a real-time tenant).
    if (call.ctx) useClock(t, call.ctx.tenant);
    const body = await route.handler({ ...call, t, db: t } as never);
    if (body instanceof Refusal) {
      const refused = errorAnswer(body.error, req);
      const text = JSON.stringify(refused.body);
      return { status: refused.status, text, stored: text };
    }
    return { status, text: JSON.stringify(body), stored: JSON.stringify(omit(body, route.shownOnce)) };
  };
  // A face's dialect may have no Idempotency-Key (Razorpay's API has none, and its SDK sends none).
  const acceptsKey = route.idempotency !== 'none' && (route.face?.idempotencyKey ?? true) && (call.ctx !== undefined || route.idempotencyScope !== undefined);
  const key = acceptsKey ? checkKey(req.header('idempotency-key'), route.idempotency === 'required', `${route.method.toUpperCase()} ${route.path}`) : undefined;
  if (key === undefined) return { ...(await svc.db.tx(run)), replayed: false };
  const scope = call.ctx
    ? { tenantId: call.ctx.tenant.id, space: call.keyType === 'publishable' ? 'publishable' : undefined }
    : await route.idempotencyScope!({ ...call, db: svc.db } as never);
  return svc.db.tx((t) =>
    idempotent(t, { ...scope, key, method: req.method, path: req.originalUrl.split('?')[0]!, body: req.body }, svc.config.idempotency.lockTimeoutMs, () => run(t)),
  );
}

/** Whether a write's retry would be answered from its Idempotency-Key instead of doing the work again. */
const replaysWithKey = (route: AnyRoute, req: Request) =>
  route.idempotency !== 'none' && (route.face?.idempotencyKey ?? true) && Boolean(req.header('idempotency-key'));

/** A tenant call's faults: the Sandpay-Fault header, else the tenant's random ones. */
function faultsOf(route: AnyRoute, req: Request, svc: Services, random: RandomFaults): Fault[] {
  const p = req.principal;
  // Faults are for integrations' API calls: not the dashboard's own, nor streams and pages.
  if (p?.kind !== 'tenant' || p.session || route.produces) return [];
  const header = req.header('sandpay-fault');
  return header !== undefined ? parseFaultHeader(header, svc.config.faultMaxMs) : random.draw(p.tenant, svc.config.faultMaxMs);
}

function handle(route: AnyRoute, svc: Services, random: RandomFaults, web: WebHelpers): RequestHandler {
  const checking = svc.config.env === 'test';
  return async (req, res: Response) => {
    const faults = faultsOf(route, req, svc, random);
    if (faults.length > 0) {
      res.locals.fault = describeFaults(faults);
      req.log.warn({ fault: res.locals.fault }, 'fault injected');
      if (!(await faultsBefore(req, res, faults, svc.config.faultMaxMs))) return;
    }
    const reply = await answer(route, req, svc, web);
    const lost = faults.find((f) => f.kind === 'after_commit');
    if (lost) return injectedError(res, lost.value!, faults, !route.write || replaysWithKey(route, req));
    if ('raw' in reply) return reply.raw(res);
    if (checking) {
      // A Refusal's answer is an error the route must declare; anything else is its success.
      if (reply.status === (route.status ?? 200)) checkAnswer(route, reply.status, reply.text);
      else {
        const violation = checkError(route, reply.status, JSON.parse(reply.text));
        if (violation) throw violation;
      }
    }
    if (reply.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(reply.status).type('application/json').send(reply.text);
  };
}

/**
 * Whether a request passes a face's route by: it is another face's (the first listed that claims
 * it has it), so where faces share a path (Stripe and Razorpay under /v1) it goes on to the next
 * route of that path. Sandpay's own routes take what reaches them.
 */
const passesBy = (face: HttpFace | undefined, req: Request) => face !== undefined && faceClaiming(req) !== face;

/** Mounts one route-table entry: its guards, then validation, idempotency, the handler and the answer. */
export function mountRoute(router: Router, route: AnyRoute, svc: Services, guards: Guards): void {
  const { face } = route;
  const tag: RequestHandler = (req, _res, next) => {
    if (passesBy(face, req)) return next('route');
    req.contract = route;
    next();
  };
  const chain: RequestHandler[] = [tag];
  if (route.auth === 'secret' || route.auth === 'publishable') chain.push(...guards.tenant(route.auth === 'publishable', route.permission ?? null));
  if (route.auth === 'admin') chain.push(...guards.admin);
  if (route.auth === 'session') chain.push(...guards.session);
  if (route.auth === 'face') {
    if (!face) throw new Error(`${route.method.toUpperCase()} ${route.path}: auth 'face' needs the route's face`);
    chain.push(...guards.face(face));
  }
  if (route.rateLimit === 'register') chain.push(guards.register);
  if (route.rateLimit === 'ip') chain.push(guards.ip);
  router[route.method](route.path, ...chain, handle(route, svc, guards.faults, webHelpers(svc, guards.prometheus)));
}

/** A known path with another method: 405 and the methods it has (in the path's face), not "no route". */
export function methodNotAllowed(allowed: string[], face?: HttpFace): RequestHandler {
  const allow = [...new Set(allowed.map((m) => m.toUpperCase()))].join(', ');
  return (req, _res, next) => {
    if (passesBy(face, req)) return next('route');
    throw new DomainError('method_not_allowed', 'method_not_allowed', `${req.method} is not allowed on ${req.originalUrl.split('?')[0]}; use ${allow}`, {
      headers: { Allow: allow },
    });
  };
}
