import type { Request, Response } from 'express';
import type { DbTenant } from '../tenants/tenants.ts';
import { settingsOf } from '../tenants/tenants.ts';
import { FAULT_KINDS, type FaultKind } from '../tenants/schemas.ts';
import { badRequest, DomainError } from '../core/errors.ts';
import { errorAnswer, faceOfRequest } from './errors.ts';

/**
 * Faults on purpose, so a client's retries and idempotency can be tested: per request with the
 * `Sandpay-Fault` header, or at random per tenant (settings.faults). Every fault but
 * after_commit happens before any write; after_commit does the work, commits, then answers an
 * error, as a live gateway does when the response is lost on the way back.
 */
export interface Fault {
  kind: FaultKind;
  /** latency: milliseconds; status and after_commit: the status to answer. */
  value: number | null;
}

const STATUSES = new Set([500, 502, 503, 504]);

/** `latency=200`, `status=503`, `reset`, `timeout`, `after_commit=500`; several joined by commas. */
export function parseFaultHeader(header: string, maxMs: number): Fault[] {
  const faults: Fault[] = [];
  for (const part of header.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [kind, raw] = part.split('=', 2).map((x) => x.trim()) as [string, string | undefined];
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw badRequest('invalid_fault', `Sandpay-Fault: unknown fault "${kind}"; use ${FAULT_KINDS.join(', ')}`, 'Sandpay-Fault');
    }
    if (faults.some((f) => f.kind === kind)) throw badRequest('invalid_fault', `Sandpay-Fault: ${kind} is given twice`, 'Sandpay-Fault');
    const value = raw === undefined ? null : Number(raw);
    if (kind === 'latency' && !(Number.isInteger(value) && value! >= 0 && value! <= maxMs)) {
      throw badRequest('invalid_fault', `Sandpay-Fault: latency must be whole milliseconds from 0 to ${maxMs}`, 'Sandpay-Fault');
    }
    if ((kind === 'status' || kind === 'after_commit') && !STATUSES.has(value ?? 0)) {
      throw badRequest('invalid_fault', `Sandpay-Fault: ${kind} must be one of 500, 502, 503, 504`, 'Sandpay-Fault');
    }
    if ((kind === 'reset' || kind === 'timeout') && raw !== undefined) {
      throw badRequest('invalid_fault', `Sandpay-Fault: ${kind} takes no value`, 'Sandpay-Fault');
    }
    faults.push({ kind: kind as FaultKind, value });
  }
  return faults;
}

/** mulberry32: a tiny seeded generator, so a seed gives the same fault sequence every time. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Each tenant's generator in this process, started again from its seed whenever the settings are saved. */
export class RandomFaults {
  private readonly streams = new Map<string, { key: string; next: () => number }>();

  draw(tenant: DbTenant, maxMs: number): Fault[] {
    const { rate, kinds, seed } = settingsOf(tenant).faults;
    if (rate <= 0) return [];
    const key = JSON.stringify([rate, kinds, seed, tenant.updated_at]);
    let stream = this.streams.get(tenant.id);
    if (!stream || stream.key !== key) {
      stream = { key, next: seed === null ? Math.random : seeded(seed) };
      this.streams.set(tenant.id, stream);
    }
    const roll = stream.next();
    const pick = stream.next();
    if (roll >= rate) return [];
    const kind = kinds[Math.floor(pick * kinds.length)]!;
    const value = kind === 'latency' ? Math.min(maxMs, 1000) : kind === 'status' || kind === 'after_commit' ? 503 : null;
    return [{ kind, value }];
  }
}

export const describeFaults = (faults: Fault[]) => faults.map((f) => (f.value === null ? f.kind : `${f.kind}=${f.value}`)).join(',');

/** `retrySafe`: sending the request again cannot do its work twice (see HttpFace.faultHeaders). */
export function injectedError(res: Response, status: number, faults: Fault[], retrySafe: boolean): void {
  const err = new DomainError('internal', 'injected_fault', `Sandpay injected this ${status} on purpose (${describeFaults(faults)})`);
  // The face's retry advice, if its clients take any (Stripe-Should-Retry).
  const headers = faceOfRequest(res.req)?.faultHeaders?.(retrySafe) ?? {};
  // In the shape of the API called (a face's own, e.g. Razorpay's SERVER_ERROR; Sandpay's api_error), with the status asked for.
  res.status(status).set(headers).json(errorAnswer(err, res.req).body);
}

/**
 * Applies the faults that come before any work. Returns false when the request has been
 * answered (or dropped) here; after_commit is left to the caller.
 */
export async function faultsBefore(req: Request, res: Response, faults: Fault[], maxMs: number): Promise<boolean> {
  for (const f of faults) {
    if (f.kind === 'latency') await new Promise((r) => setTimeout(r, f.value!));
    if (f.kind === 'reset') {
      req.socket.destroy();
      return false;
    }
    if (f.kind === 'timeout') {
      // Hold the request until the client gives up (its socket closes), at most maxMs, then drop it unanswered.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxMs);
        req.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      req.socket.destroy();
      return false;
    }
    if (f.kind === 'status') {
      // Before any work: nothing to do twice.
      injectedError(res, f.value!, faults, true);
      return false;
    }
  }
  return true;
}
