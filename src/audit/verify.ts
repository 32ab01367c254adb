import type { Queryable } from '../db/pool.ts';
import { allCheckpoints, newestCheckpoint, type ForgedCheckpoints, type KnownCheckpoint } from './stored-checkpoints.ts';
import type { AuditServices } from './services.ts';
import type { AuditContext } from './context.ts';
import { legacyBoundary } from './legacy.ts';
import { chainHash, GENESIS_HASH, rowMac } from './mac.ts';
import { hashAtSeq, isTenantChain, readOnlySnapshot, sealedRowsAfter, unsealedRowsAfter } from './store.ts';

/**
 * What verification can say about the first problem it finds:
 *  - edited:    a sealed row's contents no longer match its MAC (its place in the chain does);
 *  - missing:   a row is gone: a gap in seq, or a genuine row that no longer fits where it is
 *               (rows before it deleted and the rest renumbered);
 *  - inserted:  a row Sandpay never wrote: no valid MAC, and neither its place in the chain nor
 *               a later row or checkpoint vouches for it (an edited row whose chain columns were
 *               also rewritten looks the same when no checkpoint covers it); a row without a MAC
 *               past the chain's legacy boundary (src/audit/legacy.ts) is one too;
 *  - truncated: the log ends before a checkpoint's seq (rows deleted from the end), or a
 *               tenant's chain is empty (it always starts with tenant.created);
 *  - rewritten: every row checks out but the chain up to a checkpoint is not the one signed
 *               (genuine rows deleted or reordered and then re-sealed), or the rows from before
 *               the keyed chain are not the ones there when it began;
 *  - forged_checkpoint: every row checks out, but a checkpoint row in the database does not
 *               verify with this Sandpay's key (not written by it, or altered);
 *  - forged_boundary: every row checks out, but the chain's legacy boundary does not verify.
 */
export type BadReason = 'edited' | 'missing' | 'inserted' | 'truncated' | 'rewritten' | 'forged_checkpoint' | 'forged_boundary';

export interface ChainVerification {
  ok: boolean;
  chain: string;
  /** Sealed rows read. */
  rows_checked: number;
  /** Rows committed but not chained yet (normally 0 a moment after a write); their MACs are checked. */
  unsealed_rows: number;
  /** Rows from before the keyed chain (SHA-256 only); accepted only up to the chain's legacy boundary. */
  legacy_rows: number;
  head: { seq: number; hash: string } | null;
  /** Checkpoints whose signature verifies that the log was checked against (each one in the database, the file's newest, the one supplied). */
  checkpoints_checked: number;
  /**
   * The newest checkpoint of each source, and every one the log does not extend: ok false when
   * it does not, null when an earlier problem stopped the check.
   */
  checkpoints: Array<{ seq: number; head_hash: string; created_at: string; source: KnownCheckpoint['source']; ok: boolean | null }>;
  /**
   * Where this pass began: the seq of the checkpoint it started from (the rows up to it were
   * verified when that checkpoint was signed, each checkpoint after verifying the rows since its
   * predecessor), or 0 for the whole chain.
   */
  from_seq: number;
  /** The first bad sealed row's seq; null for an unsealed row; absent when no row is to blame (a forged checkpoint). */
  first_bad_seq?: number | null;
  first_bad_row_id?: number;
  reason?: BadReason;
  detail?: string;
}

export interface VerifyOptions {
  /** Also check against this checkpoint (already signature-checked, e.g. from the caller). */
  supplied?: KnownCheckpoint;
  /** Check against every known checkpoint (default true); false only checks the rows (before signing a new one). */
  latest?: boolean;
  /** Start after this checkpoint instead of at seq 1 (incremental, before signing a new one). */
  from?: KnownCheckpoint;
  /** Told the sealed rows read so far after each batch (a background pass's progress). */
  onProgress?: (rowsChecked: number) => Promise<void>;
}

const BATCH = 2000;

type Bad = { seq?: bigint | null; id: string | null; reason: BadReason; detail: string };

/**
 * Verifies one chain in a single streaming pass (batches by seq), in the process, which holds the
 * key: every sealed row's MAC and chain hash, seq continuity, the legacy boundary, every
 * checkpoint (each signature, once), then the MACs of unsealed rows. Stops judging at the first
 * problem but keeps counting.
 */
export async function verifyChain(svc: Pick<AuditServices, 'db' | 'audit'>, chain: string, opts: VerifyOptions = {}): Promise<ChainVerification> {
  const { db, audit } = svc;
  // One snapshot for the whole pass: a row sealed meanwhile is then neither missed nor counted twice.
  return db.tx(async (t) => {
    await readOnlySnapshot(t);
    return verifyIn(t, audit, chain, opts);
  });
}

/**
 * The tenant's check, at a cost that does not grow with its history (issue 27): the rows since
 * the chain's newest checkpoint that verifies (the database's newest row or the DATA_DIR file's),
 * which must still hold the signed head at its seq. Every checkpoint was signed only after the
 * rows since its predecessor verified, and each head hash chains every row before it, so the
 * checkpoints cover the history up to the newest one; a full pass over it is a background job
 * (startFullVerification). Without a usable checkpoint, or when the quick pass finds a problem,
 * the whole chain is read, so the answer names the first bad row as a full pass would.
 */
export async function verifyChainSinceCheckpoint(svc: Pick<AuditServices, 'db' | 'audit'>, chain: string): Promise<ChainVerification> {
  const { db, audit } = svc;
  return db.tx(async (t) => {
    await readOnlySnapshot(t);
    const { previous, forged } = await newestCheckpoint(t, audit, chain);
    if (previous && !forged) {
      const quick = await verifyIn(t, audit, chain, { from: previous, latest: false });
      if (quick.ok) {
        return {
          ...quick,
          checkpoints_checked: 1,
          checkpoints: [{ seq: previous.seq, head_hash: previous.head_hash, created_at: previous.created_at, source: previous.source, ok: true }],
        };
      }
    }
    return verifyIn(t, audit, chain, {});
  });
}

async function verifyIn(db: Queryable, audit: AuditContext, chain: string, opts: VerifyOptions): Promise<ChainVerification> {
  const key = audit.keys.auditMacKey;
  const stored: { valid: KnownCheckpoint[]; forged: ForgedCheckpoints | null } = opts.latest === false ? { valid: [], forged: null } : await allCheckpoints(db, audit, chain);
  const cps = [...stored.valid, ...(opts.supplied ? [opts.supplied] : [])].sort((a, b) => a.seq - b.seq);
  const results: ChainVerification['checkpoints'] = cps.map((c) => ({ seq: c.seq, head_hash: c.head_hash, created_at: c.created_at, source: c.source, ok: null }));
  // Rows without a MAC pass only up to here, and the chain there must be the one recorded.
  const boundaryRow = await legacyBoundary(db, key, chain);
  const boundary = boundaryRow === 'forged' ? null : boundaryRow;
  const boundarySeq = boundary ? BigInt(boundary.seq) : 0n;

  let prev = GENESIS_HASH;
  let expected = 1n;
  let sawKeyed = false;
  let legacy = 0;
  let checked = 0;
  let last: { seq: bigint; hash: string } | null = null;
  let bad: Bad | null = null;
  /** A row with neither a valid MAC nor a valid place: edited if something later vouches for its stored MAC, else inserted. */
  let suspect: { seq: bigint; id: string } | null = null;

  if (opts.from) {
    const at = await hashAtSeq(db, chain, opts.from.seq);
    if (!at) bad = { seq: BigInt(opts.from.seq), id: null, reason: 'truncated', detail: `the row at the checkpoint's seq ${opts.from.seq} is gone` };
    else if (at.hash !== opts.from.head_hash) bad = { seq: BigInt(opts.from.seq), id: null, reason: 'rewritten', detail: `the row at seq ${opts.from.seq} is not the one checkpointed` };
    prev = opts.from.head_hash;
    expected = BigInt(opts.from.seq) + 1n;
  }

  const judgeAtBoundary = (seq: bigint) => {
    if (bad || suspect || !boundary || seq !== boundarySeq || prev === boundary.head_hash) return;
    bad = { seq, id: null, reason: 'rewritten', detail: `the rows up to seq ${seq}, from before the keyed chain, are not the ones there when it began` };
  };

  const judgeAtCheckpoints = (seq: bigint) => {
    cps.forEach((cp, i) => {
      if (BigInt(cp.seq) !== seq || results[i]!.ok !== null) return;
      if (suspect) {
        // The chain recomputed through the suspect's stored MAC is the signed one: Sandpay sealed that MAC there.
        bad = prev === cp.head_hash
          ? { seq: suspect.seq, id: suspect.id, reason: 'edited', detail: `row ${suspect.seq} was changed after it was sealed (checkpoint at seq ${cp.seq} vouches for its original)` }
          : { seq: suspect.seq, id: suspect.id, reason: 'inserted', detail: `row ${suspect.seq} was not written by Sandpay` };
        suspect = null;
        results[i]!.ok = false;
        return;
      }
      if (bad) return;
      results[i]!.ok = prev === cp.head_hash;
      if (prev !== cp.head_hash) {
        bad = { seq, id: null, reason: 'rewritten', detail: `every row up to seq ${seq} checks out, but the chain is not the one signed in the checkpoint of ${cp.created_at}: rows at or before it were removed or reordered` };
      }
    });
  };

  for (let after = opts.from ? BigInt(opts.from.seq) : 0n; ; ) {
    const rows = await sealedRowsAfter(db, chain, after.toString(), BATCH);
    for (const row of rows) {
      const seq = BigInt(row.seq);
      checked++;
      last = { seq, hash: row.hash };
      if (bad) continue;
      if (suspect) {
        // Looking for a later row whose stored hash follows from the suspect's stored MAC.
        const h = row.mac === null ? null : chainHash(key, chain, seq, prev, row.mac);
        if (h !== null && row.hash === h && row.prev_hash === prev) {
          bad = { seq: suspect.seq, id: suspect.id, reason: 'edited', detail: `row ${suspect.seq} was changed after it was sealed` };
          suspect = null;
        } else if (h === null) {
          bad = { seq: suspect.seq, id: suspect.id, reason: 'inserted', detail: `row ${suspect.seq} was not written by Sandpay` };
          suspect = null;
        } else {
          prev = h;
        }
        judgeAtCheckpoints(seq);
        continue;
      }
      if (seq !== expected) {
        bad = { seq: expected, id: null, reason: 'missing', detail: `row ${expected} is missing (the next row is ${seq})` };
        continue;
      }
      expected = seq + 1n;
      if (row.mac === null) {
        // Legacy rows (SHA-256, from before the keyed chain) only ever start a chain, and only a
        // chain that had them when the keyed chain began: a new chain starts with a keyed row.
        if (!sawKeyed && boundaryRow === 'forged') {
          bad = { seq, id: row.id, reason: 'forged_boundary', detail: `row ${seq} has no MAC, and the chain's legacy boundary does not verify with this Sandpay's key: not written by Sandpay, or moved` };
        } else if (sawKeyed || seq > boundarySeq) {
          const where = boundary ? `its rows from before the keyed chain end at seq ${boundary.seq}` : 'it has no rows from before the keyed chain';
          bad = { seq, id: row.id, reason: 'inserted', detail: `row ${seq} has no MAC and ${where}: it was not written by Sandpay` };
        } else if (row.prev_hash !== prev || row.legacy_hash !== row.hash) {
          bad = { seq, id: row.id, reason: 'edited', detail: `legacy row ${seq} does not match its SHA-256 chain` };
        } else {
          legacy++;
          prev = row.hash;
        }
        judgeAtBoundary(seq);
        judgeAtCheckpoints(seq);
        continue;
      }
      sawKeyed = true;
      const macOk = rowMac(key, row) === row.mac;
      const h = chainHash(key, chain, seq, prev, row.mac);
      const placeOk = row.prev_hash === prev && row.hash === h;
      if (macOk && !placeOk) {
        bad = { seq, id: row.id, reason: 'missing', detail: `row ${seq} is genuine but not in its place: rows before it were deleted and the rest renumbered, or reordered` };
      } else if (!macOk && placeOk) {
        bad = { seq, id: row.id, reason: 'edited', detail: `row ${seq} was changed after it was sealed` };
      } else if (!macOk) {
        suspect = { seq, id: row.id };
      }
      prev = h;
      judgeAtBoundary(seq);
      judgeAtCheckpoints(seq);
    }
    if (rows.length < BATCH) break;
    after = BigInt(rows.at(-1)!.seq);
    await opts.onProgress?.(checked);
  }

  if (suspect) {
    const s = suspect as { seq: bigint; id: string };
    bad = { seq: s.seq, id: s.id, reason: 'inserted', detail: `row ${s.seq} was not written by Sandpay (or was rewritten whole): neither its MAC nor its chain hash verifies` };
  }
  const lastSeq = last?.seq ?? (opts.from ? BigInt(opts.from.seq) : 0n);
  if (!bad) {
    const beyond = cps.findIndex((c) => BigInt(c.seq) > lastSeq);
    if (beyond >= 0) {
      const cp = cps[beyond]!;
      results[beyond]!.ok = false;
      bad = { seq: lastSeq + 1n, id: null, reason: 'truncated', detail: `the log ends at seq ${lastSeq}, but the checkpoint of ${cp.created_at} covers ${cp.row_count} rows` };
    } else if (boundary && lastSeq < boundarySeq) {
      bad = { seq: lastSeq + 1n, id: null, reason: 'truncated', detail: `the log ends at seq ${lastSeq}, but its rows from before the keyed chain went up to seq ${boundary.seq}` };
    }
  }

  // Unsealed rows: committed moments ago, or not written by Sandpay (the sealer leaves those alone).
  let unsealed = 0;
  for (let after = '0'; ; ) {
    const rows = await unsealedRowsAfter(db, chain, after, BATCH);
    for (const row of rows) {
      unsealed++;
      if (!bad && (row.mac === null || rowMac(key, row) !== row.mac)) {
        bad = { seq: null, id: row.id, reason: 'inserted', detail: `unsealed row ${row.id} was not written by Sandpay` };
      }
    }
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }

  if (!bad && checked === 0 && unsealed === 0 && !opts.from && chain !== 'global') {
    if (await isTenantChain(db, chain)) bad = { seq: 1n, id: null, reason: 'truncated', detail: "the tenant's chain is empty; it always starts with the tenant.created row" };
  }

  // Problems outside the rows come last: a row to blame says more.
  if (!bad && stored.forged) {
    const f = stored.forged;
    bad = {
      id: null,
      reason: 'forged_checkpoint',
      detail: `${f.count} checkpoint row(s) in the database do not verify with this Sandpay's signing key (the first: ${f.first.id}, at seq ${f.first.seq}): not written by Sandpay, or altered`,
    };
  }
  if (!bad && boundaryRow === 'forged') {
    bad = { id: null, reason: 'forged_boundary', detail: "the chain's legacy boundary does not verify with this Sandpay's key: not written by Sandpay, or moved" };
  }

  // The newest of each source, and every failure: the response stays small however many there are.
  const newest = new Map(cps.map((c, i) => [c.source, i]));
  const out: ChainVerification = {
    ok: bad === null,
    chain,
    rows_checked: checked,
    from_seq: opts.from ? opts.from.seq : 0,
    unsealed_rows: unsealed,
    legacy_rows: legacy,
    head: last ? { seq: Number(last.seq), hash: last.hash } : null,
    checkpoints_checked: cps.length,
    checkpoints: results.filter((r, i) => r.ok === false || newest.get(cps[i]!.source) === i),
  };
  if (bad) {
    const b = bad as Bad;
    if (b.seq !== undefined) out.first_bad_seq = b.seq === null ? null : Number(b.seq);
    if (b.id !== null) out.first_bad_row_id = Number(b.id);
    out.reason = b.reason;
    out.detail = b.detail;
  }
  return out;
}
