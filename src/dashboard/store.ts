import type { Queryable } from '../db/pool.ts';
import type { DbTenant } from '../tenants/tenants.ts';

/** A tenant's dashboard session, or the operator's. */
export type SessionKind = 'tenant' | 'operator';

/** The SQL of the dashboard_sessions table, which this folder owns, and the overview's clock. */

export interface SessionRow {
  id: string;
  kind: SessionKind;
  tenant_id: string | null;
  api_key_id: string | null;
  admin_token_hash: string | null;
  expires_at: Date;
  tenant: (Omit<DbTenant, 'created_at' | 'updated_at'> & { created_at: string; updated_at: string }) | null;
}

export interface NewSession {
  id: string;
  tokenHash: string;
  kind: SessionKind;
  tenantId: string | null;
  apiKeyId: string | null;
  adminTokenHash: string | null;
  userAgent: string | null;
  ttlHours: number;
}

/** A new session, expiring `ttlHours` from now; sessions expired over a day ago go in the same statement. */
export function insertSession(db: Queryable, s: NewSession): Promise<{ expires_at: Date }> {
  return db.one<{ expires_at: Date }>(
    `WITH gone AS (DELETE FROM dashboard_sessions WHERE expires_at < now() - interval '1 day')
     INSERT INTO dashboard_sessions (id, token_hash, kind, tenant_id, api_key_id, admin_token_hash, user_agent, expires_at)
     VALUES ($1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, now() + $8::int * interval '1 hour')
     RETURNING expires_at`,
    [s.id, s.tokenHash, s.kind, s.tenantId, s.apiKeyId, s.adminTokenHash, s.userAgent, s.ttlHours],
  );
}

/** The live session with this token hash (not expired, not revoked, its key still valid), with its tenant as JSON. */
export function liveSession(db: Queryable, tokenHash: string): Promise<SessionRow | undefined> {
  // joins api_keys (owned by src/tenants) and tenants (owned by src/tenants): every dashboard
  // request checks its session, its key and reads its tenant in this one statement.
  return db.maybeOne<SessionRow>(
    `SELECT s.id, s.kind, s.tenant_id, s.api_key_id, s.admin_token_hash, s.expires_at, to_jsonb(t.*) AS tenant
       FROM dashboard_sessions s
       LEFT JOIN api_keys k ON k.id = s.api_key_id
       LEFT JOIN tenants t ON t.id = s.tenant_id
      WHERE s.token_hash = $1::text AND s.revoked_at IS NULL AND s.expires_at > now()
        -- A rolled key's grace is on its tenant's clock (migration 0037).
        AND (s.kind = 'operator' OR (k.revoked_at IS NULL OR k.revoked_at > now() + t.clock_offset_ms * interval '1 millisecond'))`,
    [tokenHash],
  );
}

export async function revokeSession(db: Queryable, id: string): Promise<void> {
  await db.rows('UPDATE dashboard_sessions SET revoked_at = now() WHERE id = $1::text AND revoked_at IS NULL', [id]);
}

/** The database's clock (the tenant's, in a transaction on its clock): now, and the start of this minute. */
export function databaseClock(db: Queryable): Promise<{ now: Date; minute: Date }> {
  return db.one<{ now: Date; minute: Date }>(`SELECT sandpay_now() AS now, date_trunc('minute', sandpay_now()) AS minute`);
}
