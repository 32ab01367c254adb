import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Queryable } from '../db/pool.ts';
import type { Logger } from '../logger.ts';
import { audit, SYSTEM_ACTOR, type Auditing } from './append.ts';
import { legacyBoundaryMac } from './mac.ts';
import { globalChainHasAction, insertLegacyBoundaries, legacyBoundaryRow, legacyHeads } from './store.ts';

/** A chain's rows without a MAC end at `seq`, whose hash is `head_hash` (rows from before the keyed chain). */
export interface LegacyBoundary {
  seq: number;
  head_hash: string;
}

const FIXED_ACTION = 'audit.legacy_boundaries_fixed';
const FIXED_FILE = 'audit-legacy-boundaries-fixed';

/** The migration whose application fixes the boundaries (migrations/0018_audit_legacy_boundary.sql). */
export const LEGACY_BOUNDARY_MIGRATION = '0018_audit_legacy_boundary';

/**
 * Records, once, where each chain's rows from before the keyed chain end: the MAC-less rows at the
 * start of the chain, up to its first keyed row. Called only by the start that applied
 * LEGACY_BOUNDARY_MIGRATION: no later start adds a boundary, so a chain rewritten without MACs
 * afterwards has none and fails verification from its first row. Once means once: the fixing
 * leaves a keyed row in the global chain and a file in DATA_DIR, and a migration 0018 undone by
 * hand and applied again (to pass a rewritten chain off as legacy) finds either and records nothing.
 */
export async function fixLegacyBoundaries(db: Db, svc: Auditing, log: Logger, dataDir: string): Promise<void> {
  const key = svc.audit.keys.auditMacKey;
  const marker = path.join(dataDir, FIXED_FILE);
  const chains = await db.tx(async (t) => {
    if (existsSync(marker) || (await globalChainHasAction(t, FIXED_ACTION))) {
      log.error({ component: 'audit' }, 'the audit legacy boundaries were fixed before (migration 0018 was undone and applied again): none are recorded now');
      return null;
    }
    const heads = await legacyHeads(t);
    if (heads.length) {
      await insertLegacyBoundaries(t, heads.map((h) => h.chain), heads.map((h) => h.seq), heads.map((h) => h.hash), heads.map((h) => legacyBoundaryMac(key, h.chain, h.seq, h.hash)));
    }
    audit(t, svc, {
      tenantId: null, objectType: 'audit_log', objectId: 'legacy_boundaries', action: FIXED_ACTION, actor: SYSTEM_ACTOR,
      metadata: { chains: heads.map((h) => ({ chain: h.chain, seq: Number(h.seq) })) },
    });
    return heads.length;
  });
  if (chains === null) return;
  await mkdir(dataDir, { recursive: true });
  await writeFile(marker, `${new Date().toISOString()} ${chains} chain(s)\n`, { mode: 0o600 });
  if (chains) log.info({ component: 'audit', chains }, 'recorded where the audit rows from before the keyed chain end');
}

/**
 * The chain's boundary: null when it has none; 'forged' when a row is there but its MAC does not
 * verify (Sandpay never wrote it, or it was moved).
 */
export async function legacyBoundary(db: Queryable, key: Buffer, chain: string): Promise<LegacyBoundary | 'forged' | null> {
  const row = await legacyBoundaryRow(db, chain);
  if (!row) return null;
  if (legacyBoundaryMac(key, chain, row.seq, row.head_hash) !== row.mac) return 'forged';
  return { seq: Number(row.seq), head_hash: row.head_hash };
}
