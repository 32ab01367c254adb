import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { forbidden, unauthenticated } from '../../core/errors.ts';
import type { Db } from '../../db/pool.ts';
import { CSRF_HEADER, findSession, SESSION_COOKIE, type FoundSession, type SessionKind } from '../../dashboard/sessions.ts';

/**
 * Dashboard sessions at the HTTP edge. A request carrying an Authorization header is a key
 * request and the cookie is ignored; one without it but with the session cookie is a session
 * request: the session must be live, of the kind the route serves, and, on any method but
 * GET/HEAD, carry the session's CSRF token in X-CSRF-Token. The cookie is SameSite=Strict as
 * well, so a cross-site page gets neither the cookie nor the token.
 */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    // A malformed %-escape is no session of ours, not a server error.
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** HTTPS as the client sees it (directly, or PUBLIC_URL behind a proxy): then the cookie is Secure. */
const isHttps = (req: Request, publicUrl: string | undefined) => req.secure || (publicUrl?.startsWith('https:') ?? false);

export function setSessionCookie(res: Response, token: string, expiresAt: Date, publicUrl: string | undefined): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: isHttps(res.req, publicUrl), path: '/', expires: expiresAt });
}

export function clearSessionCookie(res: Response, publicUrl: string | undefined): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: isHttps(res.req, publicUrl), path: '/' });
}

function csrfMatches(given: string | undefined, expected: string): boolean {
  if (!given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

export interface SessionGuards {
  /** A route's key guard, or the session cookie when no Authorization header is sent. */
  or(kind: SessionKind, keyGuard: RequestHandler): RequestHandler;
  /** Routes for dashboard sessions only (either kind). */
  only: RequestHandler;
}

export function sessionGuards(db: Db, adminToken: string | undefined): SessionGuards {
  async function authenticate(req: Request, want: SessionKind | 'any'): Promise<FoundSession> {
    const token = readCookie(req, SESSION_COOKIE);
    const session = token ? await findSession(db, token, adminToken) : undefined;
    if (!session) throw unauthenticated('session_expired', 'Your dashboard session has ended (signed out, expired, or its key was rotated); sign in again');
    if (!SAFE_METHODS.has(req.method) && !csrfMatches(req.header(CSRF_HEADER), session.csrfToken)) {
      throw forbidden('csrf_token_invalid', 'This request did not carry the session\'s CSRF token (X-CSRF-Token); reload the page and try again');
    }
    if (want === 'operator' && session.kind !== 'operator') throw forbidden('admin_only', 'This is an operator page; sign in with the admin token to use it');
    if (want === 'tenant' && session.kind !== 'tenant') throw forbidden('tenant_only', 'This is a tenant page; operators sign in with a secret key to use it');
    if (session.kind === 'tenant') {
      const tenant = session.tenant!;
      if (tenant.disabled) throw forbidden('tenant_disabled', 'This tenant has been disabled by the operator');
      req.principal = { kind: 'tenant', tenant, keyId: session.apiKeyId!, keyType: 'secret', session };
      req.log = req.log.child({ tenant_id: tenant.id, session_id: session.id });
    } else {
      req.principal = { kind: 'admin', session };
    }
    return session;
  }

  return {
    or(kind, keyGuard) {
      return async (req, res, next) => {
        if (req.headers.authorization !== undefined || readCookie(req, SESSION_COOKIE) === undefined) return keyGuard(req, res, next);
        await authenticate(req, kind);
        next();
      };
    },
    only: async (req, _res, next) => {
      await authenticate(req, 'any');
      next();
    },
  };
}
