import type { Queryable } from '../db/pool.ts';
import { listPage, type CursorArgs, type Page } from '../db/paginate.ts';

/** The SQL of the request_log table, which this folder owns: the batched writer's insert and pruning, and the list. */

/** What authenticated a logged request. */
export const REQUEST_SOURCES = ['secret_key', 'publishable_key', 'restricted_key', 'service_token', 'dashboard'] as const;
export type RequestSource = (typeof REQUEST_SOURCES)[number];

export interface DbRequestLog {
  id: string;
  request_id: string;
  method: string;
  path: string;
  query: string | null;
  status: number;
  latency_ms: number;
  idempotency_key: string | null;
  replayed: boolean;
  source: RequestSource;
  error_type: string | null;
  error_code: string | null;
  error_message: string | null;
  error_param: string | null;
  request_body: string | null;
  response_body: string | null;
  fault: string | null;
  credential_type: string | null;
  credential_id: string | null;
  created_at: Date;
}

/** A line as written: every column but the defaults, redacted already. */
export type RequestLine = Omit<DbRequestLog, 'request_id' | 'created_at'> & { tenant_id: string; request_id: string | null; created_at: string };

/** A batch of lines in one multi-row INSERT. */
export async function insertRequestLines(db: Queryable, lines: RequestLine[]): Promise<void> {
  const col = <K extends keyof RequestLine>(k: K) => lines.map((l) => l[k]);
  await db.rows(
    `INSERT INTO request_log (id, tenant_id, request_id, method, path, query, status, latency_ms, idempotency_key, replayed, source,
                                error_type, error_code, error_message, error_param, request_body, response_body, fault, created_at,
                                credential_type, credential_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::smallint[], $8::real[], $9::text[],
                            $10::boolean[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[],
                            $18::text[], $19::timestamptz[], $20::text[], $21::text[])`,
    [
      col('id'), col('tenant_id'), col('request_id'), col('method'), col('path'),
      col('query'), col('status'), col('latency_ms'), col('idempotency_key'),
      col('replayed'), col('source'), col('error_type'), col('error_code'),
      col('error_message'), col('error_param'), col('request_body'),
      col('response_body'), col('fault'), col('created_at'),
      col('credential_type'), col('credential_id'),
    ],
  );
}

/** Keeps at most the newest `maxPerTenant` lines of each of these tenants. */
export async function pruneTenantsOverLimit(db: Queryable, tenantIds: string[], maxPerTenant: number): Promise<void> {
  await db.rows(
    `WITH cut AS (
           SELECT t.tenant_id,
                  (SELECT r.created_at FROM request_log r WHERE r.tenant_id = t.tenant_id
                    ORDER BY r.created_at DESC, r.id DESC OFFSET $2::int LIMIT 1) AS at
             FROM unnest($1::text[]) AS t (tenant_id)
         )
         DELETE FROM request_log r USING cut WHERE r.tenant_id = cut.tenant_id AND r.created_at <= cut.at`,
    [tenantIds, maxPerTenant],
  );
}

/** Drops every line older than `hours`. */
export async function pruneOlderThan(db: Queryable, hours: number): Promise<void> {
  await db.rows(`DELETE FROM request_log WHERE created_at < now() - $1::int * interval '1 hour'`, [hours]);
}

/** What the list may be narrowed to: an exact status (404) or a class (4xx), method, path prefix, error code, request id, source. */
export interface RequestLogFilter {
  status?: string | undefined;
  method?: string | undefined;
  path?: string | undefined;
  error_code?: string | undefined;
  request_id?: string | undefined;
  source?: RequestSource | undefined;
}

const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A page of the tenant's lines, newest first. */
export function listRequestLog<T>(db: Queryable, tenantId: string, q: RequestLogFilter, page: CursorArgs, view: (r: DbRequestLog) => T): Promise<Page<T>> {
  const cls = q.status?.endsWith('xx') ? Number(q.status[0]) * 100 : undefined;
  const exact = q.status && !cls ? Number(q.status) : undefined;
  const filters = {
    status: exact,
    'status >=': cls,
    'status <': cls === undefined ? undefined : cls + 100,
    method: q.method,
    'path LIKE': q.path === undefined ? undefined : likePrefix(q.path),
    error_code: q.error_code,
    request_id: q.request_id,
    source: q.source,
  };
  return listPage(db, { table: 'request_log', tenantId, filters }, page, view);
}
