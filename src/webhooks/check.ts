import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { forgeSignature, grade, tamperBody, type CaseKind, type CheckCase, type CheckReport, type Expected, type Verdict } from './check-grade.ts';
import type { Ctx } from '../tenants/types.ts';
import { randomBase62 } from '../ids.ts';
import { USER_AGENT } from './deliver.ts';
import { faceOf, unixNow, type WebhookFace } from './faces.ts';
import { createPoster, type Poster, type PostResult } from './http.ts';
import { sampleDeliveries, type SampleDelivery } from './samples.ts';
import type { checkBody } from './schemas.ts';
import type { WebhookServices } from './services.ts';
import { getEndpoint } from './store.ts';

/**
 * The handler check (`sandpay check-handler`, POST /api/v1/webhook-endpoints/:id/check): a
 * suite of deliveries in one face's format, valid and not, sent to a developer's handler and
 * each answer graded. What breaks in production is rarely the happy path:
 * a handler that answers 2xx to a forged signature, a body changed after signing or a replayed
 * old delivery accepts forged events; one that answers a duplicate, an older event after a newer
 * one or an event type it does not know with an error gets it retried until it is dead; one
 * slower than the delivery timeout gets retried too. Nothing is stored, nothing retries.
 */

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** A delivery made when it is sent, so its signature time is then, however long the cases before it took. */
type Make = () => Delivery;

export interface CheckOptions {
  /** The face (format) whose deliveries are sent. */
  face: WebhookFace;
  url: string;
  secret: string;
  /** Whose account the bodies name (a Razorpay body's account_id). */
  tenantId: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** The endpoint's pinned API version (Stripe's), if any. */
  apiVersion?: string | null;
  /** The endpoint checked, when it is a registered one. */
  endpointId?: string | null;
}

/**
 * Cases in flight at once. Each case's own deliveries (a duplicate, an older event after a newer
 * one) go one after the other; the cases overlap, as a burst of real deliveries does, so a
 * handler that never answers costs a few timeouts, not one per case.
 */
const CONCURRENCY = 8;

interface PlannedCase {
  kind: CaseKind;
  expected: Expected;
  event: string;
  sent: string;
  deliveries: Make[];
}

/** Every case of the suite for one face, in the order of the report, then sent and their answers graded. */
export async function checkHandler(opts: CheckOptions): Promise<CheckReport> {
  const post = createPoster({ timeoutMs: opts.timeoutMs, allowPrivate: opts.allowPrivate, userAgent: USER_AGENT });
  const planned = planCases(opts);
  const cases: CheckCase[] = new Array(planned.length);
  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      const i = next++;
      const p = planned[i]!;
      cases[i] = p.deliveries.length === 0 ? notApplicable(p, opts.face) : await sendCase(p, post, opts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, planned.length) }, worker));
  const count = (v: Verdict) => cases.filter((c) => c.verdict === v).length;
  const summary = { pass: count('pass'), fail: count('fail'), not_applicable: count('not_applicable') };
  return {
    object: 'webhook_check', endpoint_id: opts.endpointId ?? null, url: opts.url, format: opts.face.format, timeout_ms: opts.timeoutMs,
    passed: summary.fail === 0, summary, cases,
  };
}

/** The check against a registered endpoint: its URL, format, secret and pinned API version; another tenant's endpoint is a 404. */
export async function checkEndpoint(
  svc: Pick<WebhookServices, 'db' | 'config' | 'webhookFaces'>, ctx: Ctx, endpointId: string, body: z.output<typeof checkBody>,
): Promise<CheckReport> {
  const e = await getEndpoint(svc.db, ctx.tenant.id, endpointId);
  return checkHandler({
    face: faceOf(svc.webhookFaces, e.format), url: e.url, secret: e.secret, tenantId: ctx.tenant.id, apiVersion: e.api_version, endpointId: e.id,
    timeoutMs: body.timeout_ms ?? svc.config.webhooks.timeoutMs, allowPrivate: svc.config.webhooks.allowPrivate,
  });
}

/** A case's deliveries one after another; the first failing answer decides, else the last. */
async function sendCase(p: PlannedCase, post: Poster, opts: CheckOptions): Promise<CheckCase> {
  let last: PostResult | null = null;
  let failed: { verdict: Verdict; why: string } | null = null;
  for (const make of p.deliveries) {
    const d = make();
    last = await post(opts.url, d.body, { ...d.headers, 'content-type': 'application/json' });
    const g = grade(p.kind, p.expected, last, opts.timeoutMs);
    if (g.verdict === 'fail' && !failed) failed = g;
  }
  const g = failed ?? grade(p.kind, p.expected, last!, opts.timeoutMs);
  return { case: p.kind, event: p.event, sent: p.sent, expected: p.expected, answer: { status_code: last!.statusCode, latency_ms: last!.latencyMs, error: last!.error }, ...g };
}

function notApplicable(p: PlannedCase, face: WebhookFace): CheckCase {
  return {
    case: p.kind, event: p.event, sent: p.sent, expected: p.expected, answer: null, verdict: 'not_applicable',
    why: `not applicable: ${face.label}'s signature carries no timestamp (dedupe on the event id to refuse replays)`,
  };
}

/** The suite's cases and how to make their deliveries (a stale one signed in the past on purpose). */
function planCases(opts: CheckOptions): PlannedCase[] {
  const { face, secret } = opts;
  const samples = sampleDeliveries(face, opts.tenantId);
  const render = (s: SampleDelivery, over: { secret?: string; signedAt?: number } = {}): Delivery => {
    const r = face.render({ ...s.content, secret: over.secret ?? secret, apiVersion: opts.apiVersion ?? null, signedAt: over.signedAt ?? unixNow() });
    if (!r) throw new Error(`${face.format} renders no body for its own sample ${s.name}`);
    return { body: r.body, headers: r.headers };
  };
  const otherSecret = face.ownSecret ? randomBase62(24) : `whsec_${randomBytes(24).toString('base64')}`;
  /** The headers that carry a MAC: those a signature with another secret changes (Standard Webhooks' id and time stay). */
  const macHeaders = (body: string) => {
    const signedAt = unixNow();
    const a = face.sign({ secret, id: 'evt_check', body, signedAt });
    const b = face.sign({ secret: otherSecret, id: 'evt_check', body, signedAt });
    return Object.keys(a).filter((k) => a[k] !== b[k]);
  };
  const cases: PlannedCase[] = [];
  const add = (kind: CaseKind, expected: Expected, event: string, sent: string, deliveries: Make[]) => cases.push({ kind, expected, event, sent, deliveries });
  // The first event the face sends about a payment: the duplicate, the unknown type and the forgeries are made of it.
  const first = samples.find((s) => s.content.event.payload.object === 'payment') ?? samples[0]!;
  const valid = (s: SampleDelivery): Make => () => render(s);
  /** A valid delivery of the first event, then changed by `forge`. */
  const forged = (forge: (d: Delivery) => Delivery): Make => () => forge(render(first));

  // Every event the face sends, validly signed.
  for (const s of samples) add('valid', '2xx', s.name, `${s.name}, signed`, [valid(s)]);

  // The same delivery again: a retry (same event id, signed anew).
  add('duplicate', '2xx', first.name, `${first.name} twice, same event id`, [valid(first), valid(first)]);

  // The newest event about an object, then the oldest one about it.
  const [older, newer] = outOfOrderPair(samples);
  add('out_of_order', '2xx', older.name, `${newer.name} (newer), then ${older.name} (older)`, [valid(newer), valid(older)]);

  // An event type no face has, validly signed: its name put where the first event's was, signed again.
  const unknownName = `sandpay.check_${randomBase62(6).toLowerCase()}.unknown`;
  add('unknown_event', '2xx', unknownName, `${unknownName} (a type no handler knows), signed`, [forged((d) => {
    const body = d.body.split(JSON.stringify(first.name)).join(JSON.stringify(unknownName));
    const headers = { ...d.headers, ...face.sign({ secret, id: first.content.event.id, body, signedAt: unixNow() }) };
    for (const [k, v] of Object.entries(headers)) if (v === first.name) headers[k] = unknownName;
    return { body, headers };
  })]);

  // Forgeries of the first event: each must be refused with a 4xx.
  add('forged_signature', '4xx', first.name, `${first.name}, with a made-up signature`, [forged((d) => {
    const headers = { ...d.headers };
    for (const k of macHeaders(d.body)) headers[k] = forgeSignature(headers[k]!);
    return { body: d.body, headers };
  })]);
  add('tampered_body', '4xx', first.name, `${first.name}, amount changed after signing`, [forged((d) => ({ body: tamperBody(d.body), headers: d.headers }))]);
  const macs = macHeaders('{}');
  add('missing_signature', '4xx', first.name, `${first.name}, without ${macs.join(' and ')}`, [forged((d) => {
    const headers = { ...d.headers };
    for (const k of macs) delete headers[k];
    return { body: d.body, headers };
  })]);
  const tolerance = face.signatureToleranceSec;
  if (tolerance === null) add('stale_timestamp', '4xx', first.name, 'nothing', []);
  else add('stale_timestamp', '4xx', first.name, `${first.name}, signed ${tolerance + 60} s ago (tolerance ${tolerance} s)`, [() => render(first, { signedAt: unixNow() - tolerance - 60 })]);
  add('other_secret', '4xx', first.name, `${first.name}, signed with another secret`, [() => render(first, { secret: otherSecret })]);
  return cases;
}

/** Two deliveries about one object: the oldest and the newest event about the object with the most events. */
function outOfOrderPair(samples: SampleDelivery[]): [older: SampleDelivery, newer: SampleDelivery] {
  const byObject = new Map<string, SampleDelivery[]>();
  for (const s of samples) byObject.set(s.content.event.payload.id, [...(byObject.get(s.content.event.payload.id) ?? []), s]);
  const group = [...byObject.values()].sort((a, b) => b.length - a.length)[0]!;
  const time = (s: SampleDelivery) => s.content.event.created_at.getTime();
  const sorted = [...group].sort((a, b) => time(a) - time(b));
  return [sorted[0]!, sorted.at(-1)!];
}
