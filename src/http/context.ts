import type { Request } from 'express';
import type { Actor } from '../audit/append.ts';
import type { KeyType } from '../tenants/keys.ts';
import type { DbTenant } from '../tenants/tenants.ts';

export type Principal =
  | { kind: 'tenant'; tenant: DbTenant; keyId: string; keyType: KeyType }
  | { kind: 'admin' };

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
  if (p?.kind === 'tenant') return { type: p.keyType === 'secret' ? 'api_key' : 'publishable_key', id: p.keyId };
  if (p?.kind === 'admin') return { type: 'admin', id: null };
  return { type: 'system', id: null };
}
