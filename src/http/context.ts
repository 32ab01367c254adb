import type { Request } from 'express';
import type { Actor } from '../services.ts';
import type { KeyType } from '../tenants/keys.ts';
import type { DbTenant } from '../tenants/tenants.ts';
import type { DashboardSession } from '../dashboard/sessions.ts';
import type { Permissions } from '../credentials/permissions.ts';

export type Principal =
  | {
      kind: 'tenant'; tenant: DbTenant; keyId: string; keyType: KeyType; session?: DashboardSession;
      /**
       * Set when a gateway face's key authenticated the call: the face (its name) and the key's
       * api_keys id. The face's own auth on its routes, or its key id from checkout.js.
       */
      faceKey?: { face: string; id: string };
      /**
       * Set for a narrow credential: a restricted key or a service token, which may call only the
       * routes its permissions cover (checked by the auth guard against the route table). Absent:
       * the secret key (every route) or the publishable key (its routes). `keyType` is then
       * 'secret': the key space of a server-side credential, not what it may do.
       */
      restriction?: Restriction;
    }
  | {
      kind: 'admin'; session?: DashboardSession;
      /** `kid:jti` of the operator's service token, when one (not ADMIN_TOKEN) authenticated the call. */
      tokenId?: string;
    };

export interface Restriction {
  type: 'restricted_key' | 'service_token';
  /** The restricted key's id (key_…), or the service token's `kid:jti`. */
  id: string;
  permissions: Permissions;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      principal?: Principal;
    }
  }
}

export function requestId(req: Request): string {
  return String(req.id);
}

/** The tenant of an authenticated tenant route (the auth middleware guarantees one). */
export function tenantOf(req: Request): DbTenant {
  const p = req.principal;
  if (p?.kind !== 'tenant') throw new Error('tenant route reached without tenant auth');
  return p.tenant;
}

export function actorOf(req: Request): Actor {
  const p = req.principal;
  if (p?.session) return { type: 'dashboard', id: p.session.id };
  if (p?.kind === 'tenant' && p.restriction) return { type: p.restriction.type, id: p.restriction.id };
  if (p?.kind === 'tenant') return { type: p.keyType === 'secret' ? 'api_key' : 'publishable_key', id: p.keyId };
  if (p?.kind === 'admin') return { type: 'admin', id: p.tokenId ?? null };
  return { type: 'system', id: null };
}

/**
 * Which credential made a request, for the request log: its kind and its id (key_…, `kid:jti`
 * for a service token, the session for the dashboard; null for ADMIN_TOKEN).
 */
export function credentialOf(p: Principal): { type: string; id: string | null } {
  if (p.session) return { type: 'dashboard', id: p.session.id };
  if (p.kind === 'admin') return p.tokenId ? { type: 'admin_service_token', id: p.tokenId } : { type: 'admin_token', id: null };
  if (p.restriction) return { type: p.restriction.type, id: p.restriction.id };
  if (p.faceKey) return { type: `${p.faceKey.face}_key`, id: p.faceKey.id };
  return { type: p.keyType === 'secret' ? 'secret_key' : 'publishable_key', id: p.keyId };
}
