import { z } from 'zod';
import { DomainError } from '../../../core/errors.ts';
import type { Queryable } from '../../../db/pool.ts';
import { checkoutPageHeaders, formatAmount, renderCheckoutPage, renderProblemPage } from '../../../checkout/page.ts';
import { loadPageSession, sessionState, type PageSession } from '../../../checkout/pay.ts';
import { route, type RawReply } from '../../../routing/route.ts';
import type { KeyStore } from '../../../secrets/keys.ts';
import { checkoutSessionObject, pageLineItems, resolvedSuccessUrl, type SessionParts } from '../checkout-objects.ts';
import { createCheckoutSession, expireCheckoutSession, listCheckoutSessions, loadCheckoutSession } from '../checkout-sessions.ts';
import { lineItemList, sessionCreate, sessionExpire, sessionList, sessionRetrieve } from '../checkout-schemas.ts';
import { expandAll } from '../expand.ts';
import { EXPANDERS } from '../expanders.ts';
import { stripeHttpFace } from '../http-face.ts';
import { nativeSessionId } from '../ids.ts';
import { listOf } from '../schemas.ts';
import { findCheckoutSession, type DbCheckoutSession } from '../store.ts';
import { base, createdRange, idParams, listUrl, read, write } from './common.ts';

type Json = Record<string, unknown>;

const session = z.looseObject({ id: z.string(), object: z.literal('checkout.session'), status: z.string().nullable() }).meta({ id: 'StripeCheckoutSession' });
const lineItem = z.looseObject({ id: z.string(), object: z.literal('item'), quantity: z.number().nullable() }).meta({ id: 'StripeLineItem' });

const lineItemsUrl = (id: string) => `/v1/checkout/sessions/${id}/line_items`;

/**
 * expand[]: `line_items` (not an id: the session's first page of them, as Stripe embeds it), and
 * within them `line_items.data.price` (already the Price) and `line_items.data.price.product`;
 * besides, the ids the face expands everywhere (`payment_intent`, `customer`, on a list `data.…`).
 */
async function expandSession(db: Queryable, tenantId: string, baseUrl: string, root: Json, parts: SessionParts[], paths: readonly string[] | undefined): Promise<Json> {
  const onList = root.object === 'list';
  const lineItems = onList ? 'data.line_items' : 'line_items';
  const within = (p: string) => p === lineItems || p.startsWith(`${lineItems}.`);
  const inLines = (paths ?? []).filter(within);
  if (inLines.length > 0) {
    const objects = (onList ? root.data : [root]) as Json[];
    // Paths inside the embedded list, as expand paths of the list itself (`data.price.product`).
    const sub = inLines.filter((p) => p !== lineItems).map((p) => p.slice(lineItems.length + 1));
    for (const [i, o] of objects.entries()) {
      const page = pageLineItems(parts[i]!.stripe.line_items, { limit: 100 });
      o.line_items = await expandAll(db, tenantId, baseUrl, { object: 'list', data: page.data, has_more: page.hasMore, url: lineItemsUrl(o.id as string) }, sub, EXPANDERS);
    }
  }
  return expandAll(db, tenantId, baseUrl, root, paths?.filter((p) => !within(p)), EXPANDERS);
}

/** The hosted page for a session id that cannot be paid here, in words (never a JSON error). */
function problemPage(res: Parameters<RawReply['raw']>[0], status: number, title: string, text: string): void {
  checkoutPageHeaders(res, "'none'");
  res.status(status).type('html').send(renderProblemPage(title, text));
}

/** The hosted checkout session behind a Checkout Session id, with the face's row; null when there is none. */
async function pageOf(db: Queryable, keys: KeyStore, id: string): Promise<{ page: PageSession; stripe: DbCheckoutSession } | null> {
  const nativeId = nativeSessionId(id);
  if (!nativeId) return null;
  const page = await loadPageSession(db, nativeId, keys, []);
  const stripe = await findCheckoutSession(db, page.tenant.id, nativeId);
  return stripe ? { page, stripe } : null;
}

export const checkoutSessionRoutes = [
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/checkout/sessions', summary: 'Create a Checkout Session (Stripe, mode payment)', body: sessionCreate, response: session,
    example: { mode: 'payment', line_items: [{ price_data: { currency: 'usd', unit_amount: 2000, product_data: { name: 'T-shirt' } }, quantity: 1 }], success_url: 'https://shop.example/success?session_id={CHECKOUT_SESSION_ID}' },
    handler: async ({ svc, t, ctx, body, baseUrl }) => {
      const parts = await createCheckoutSession(t, svc, ctx, baseUrl, body);
      return expandSession(t, ctx.tenant.id, baseUrl, checkoutSessionObject(parts), [parts], body.expand);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/checkout/sessions', summary: 'List Checkout Sessions (Stripe)', query: sessionList, response: listOf(session),
    handler: async ({ db, ctx, query: q, baseUrl }) => {
      const { data, hasMore, parts } = await listCheckoutSessions(db, ctx.tenant.id, {
        limit: q.limit ?? 10, customer: q.customer, paymentIntent: q.payment_intent, ...createdRange(q.created), startingAfter: q.starting_after, endingBefore: q.ending_before,
      });
      return expandSession(db, ctx.tenant.id, baseUrl, { object: 'list', data, has_more: hasMore, url: listUrl('checkout/sessions') }, parts, q.expand);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/checkout/sessions/:id', summary: 'Retrieve a Checkout Session (Stripe)', params: idParams, query: sessionRetrieve, response: session,
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => {
      const parts = await loadCheckoutSession(db, ctx.tenant.id, p.id, 'session');
      return expandSession(db, ctx.tenant.id, baseUrl, checkoutSessionObject(parts), [parts], q.expand);
    },
  }),
  route({
    ...base, ...read('payments'), method: 'get', path: '/v1/checkout/sessions/:id/line_items', summary: "List a Checkout Session's line items (Stripe)", params: idParams, query: lineItemList, response: listOf(lineItem),
    handler: async ({ db, ctx, params: p, query: q, baseUrl }) => {
      const parts = await loadCheckoutSession(db, ctx.tenant.id, p.id, 'session');
      const page = pageLineItems(parts.stripe.line_items, { limit: q.limit ?? 10, startingAfter: q.starting_after, endingBefore: q.ending_before });
      return expandAll(db, ctx.tenant.id, baseUrl, { object: 'list', data: page.data, has_more: page.hasMore, url: lineItemsUrl(p.id) }, q.expand, EXPANDERS);
    },
  }),
  route({
    ...base, ...write('payments'), method: 'post', path: '/v1/checkout/sessions/:id/expire', summary: 'Expire an open Checkout Session (Stripe)', params: idParams, body: sessionExpire, response: session,
    example: {},
    handler: async ({ svc, t, ctx, params: p, body, baseUrl }) => {
      const parts = await expireCheckoutSession(t, svc, ctx, p.id);
      return expandSession(t, ctx.tenant.id, baseUrl, checkoutSessionObject(parts), [parts], body.expand);
    },
  }),

  // ----- the hosted page (no key: the session id is the credential, as for Sandpay's own page) -----
  route({
    method: 'get', path: '/stripe/checkout/:id', auth: 'none', face: stripeHttpFace, rateLimit: 'ip', tag: 'Stripe',
    summary: "A Checkout Session's hosted page (HTML): Sandpay's hosted checkout with the session's line items",
    description: 'The session `url`. Pays through the hosted checkout\'s own calls (/checkout/cs_…/pay, /authenticate), and on success goes to success_url with {CHECKOUT_SESSION_ID} filled in; Cancel goes to cancel_url.',
    // Lenient: an overlong or odd id is "not found" in words, never a JSON error on a page.
    params: z.strictObject({ id: z.string().max(200).catch('-') }), response: z.string(), produces: 'text/html', errors: [403, 404],
    handler: async ({ db, svc, params: p }) => ({
      raw: async (res) => {
        let found: Awaited<ReturnType<typeof pageOf>>;
        try {
          found = await pageOf(db, svc.keys, p.id);
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          if (err.kind !== 'not_found') return problemPage(res, 403, 'Checkout unavailable', err.message);
          found = null;
        }
        if (!found) return problemPage(res, 404, 'Checkout not found', 'This checkout link is not valid. Return to the merchant and start again.');
        const { page, stripe } = found;
        checkoutPageHeaders(res, "'none'");
        res.type('html').send(renderCheckoutPage({
          session: { ...page.session, success_url: resolvedSuccessUrl(stripe), cancel_url: stripe.cancel_url },
          merchant: page.tenant.name,
          state: sessionState(page),
          opener: null,
          lines: stripe.line_items.map((li) => ({ description: li.description, quantity: li.quantity, amount: formatAmount(li.amount, li.currency.toUpperCase()) })),
          exactRedirects: true,
          cards: 'stripe',
        }));
      },
    }) satisfies RawReply,
  }),
];
