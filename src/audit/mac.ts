import { createHmac } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';

/**
 * The audit log's keyed hashes, computed only in the Sandpay process (Postgres never holds
 * the key, so nobody with only database access can produce any):
 *  - `mac`, over one row's contents, computed before the INSERT: proof the process wrote it;
 *  - `hash`, over (chain, seq, prev_hash, mac), computed by the sealer: the row's place in its
 *    chain. A genuine row moved to another place, or a gap, breaks it;
 *  - a chain's legacy boundary: where its rows from before the keyed chain end, recorded once
 *    (src/audit/legacy.ts), so rows without a MAC cannot be passed off as old ones.
 * All are HMAC-SHA256 over canonical JSON (object keys sorted), tagged with their purpose.
 */

/** prev_hash of a chain's first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The columns a row MAC covers, as read back from Postgres (created_at with microseconds, UTC). */
export interface AuditContent {
  chain: string;
  tenant_id: string | null;
  object_type: string;
  object_id: string;
  action: string;
  old_status: string | null;
  new_status: string | null;
  actor_type: string;
  actor_id: string | null;
  request_id: string | null;
  metadata: unknown;
  created_at: string;
}

/** The select list of a row's MACed contents, created_at as text in the form the MAC covers. */
export const CONTENT_COLUMNS = `chain, tenant_id, object_type, object_id, action, old_status, new_status, actor_type, actor_id,
  request_id, metadata, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at`;

/** A Date in the same form (Node has milliseconds; the stored value then has zero microseconds). */
export function microIso(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

const hmac = (key: Buffer, parts: unknown[]) => createHmac('sha256', key).update(canonicalJson(parts)).digest('hex');

export function rowMac(key: Buffer, c: AuditContent): string {
  return hmac(key, [
    'sandpay.audit.row.v1', c.chain, c.tenant_id, c.object_type, c.object_id, c.action, c.old_status, c.new_status,
    c.actor_type, c.actor_id, c.request_id, c.metadata, c.created_at,
  ]);
}

export function chainHash(key: Buffer, chain: string, seq: string | number | bigint, prevHash: string, mac: string): string {
  return hmac(key, ['sandpay.audit.chain.v1', chain, String(seq), prevHash, mac]);
}

/** Where a chain's rows from before the keyed chain end (src/audit/legacy.ts). */
export function legacyBoundaryMac(key: Buffer, chain: string, seq: string | number | bigint, headHash: string): string {
  return hmac(key, ['sandpay.audit.legacy-boundary.v1', chain, String(seq), headHash]);
}
