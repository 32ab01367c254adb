import { z } from 'zod';
import { badRequest, notFound } from '../../core/errors.ts';
import type { Queryable, Tx } from '../../db/pool.ts';
import { newId, randomBase62 } from '../../ids.ts';
import { cardFingerprint, resolveCard, TEST_CARDS } from '../../payments/instruments.ts';
import { createHash } from 'node:crypto';
import type { DbPayment } from '../../payments/payments.ts';
import { byId, idParam, route } from '../../routing/route.ts';
import type { Ctx } from '../../services.ts';
import { getCustomer } from './customers.ts';
import { razorpayHttpFace } from './http-face.ts';
import { notesField, notesOut, unix } from './own-objects.ts';
import { collectionOf, notesObject } from './schemas.ts';
import { deleteObject, getObject, insertObject, tokenOfCard, tokensOf, type DbObject } from './store.ts';

/**
 * Saved cards (Razorpay's tokens) of a customer: made from a published test card by
 * POST /v1/tokens, read and deleted through the customer (customers.fetchTokens, fetchToken,
 * deleteToken) or the token (tokens.fetch, tokens.delete). Never the number or cvv: the card's
 * brand, last4, expiry and what the test card it came from does.
 */

/** A 29-character payment account reference, stable per card and tenant (from its fingerprint). */
const parOf = (fingerprint: string) => `V001${createHash('sha256').update(`par:${fingerprint}`).digest('hex').toUpperCase().slice(0, 25)}`;

const NETWORKS: Record<string, string> = { visa: 'Visa', mastercard: 'MasterCard', amex: 'American Express', rupay: 'RuPay' };

interface TokenData {
  token: string;
  card: { id: string; name: string | null; last4: string; network: string; bin: string; expiry_month: number; expiry_year: number; behaviour: string; fingerprint?: string };
  notes: Record<string, unknown>;
}
export type DbToken = DbObject<TokenData>;

const rzpTokenCard = z.strictObject({
  id: z.string(), entity: z.literal('card'), name: z.string().nullable(), last4: z.string(), network: z.string(), type: z.string(), issuer: z.null(),
  international: z.boolean(), emi: z.boolean(), sub_type: z.string(), token_iin: z.null(), expiry_month: z.number().int(), expiry_year: z.number().int(),
  flows: z.strictObject({ otp: z.boolean(), recurring: z.boolean() }),
});

export const rzpTokenObject = z
  .strictObject({
    id: z.string(), entity: z.literal('token'), token: z.string(), bank: z.null(), wallet: z.null(), method: z.literal('card'), card: rzpTokenCard,
    recurring: z.boolean(), recurring_details: z.strictObject({ status: z.string(), failure_reason: z.null() }), auth_type: z.null(), mrn: z.null(),
    used_at: z.number().int().nullable(), created_at: z.number().int(), expired_at: z.number().int(), status: z.literal('active'), notes: notesObject,
    dcc_enabled: z.boolean(), compliant_with_tokenisation_guidelines: z.boolean(), customer_id: z.string().nullable(),
  })
  .meta({ id: 'RazorpayToken' });

/** The end of the card's expiry month, as a token's expired_at. */
const expiryOf = (month: number, year: number) => Math.floor(Date.UTC(year, month, 1) / 1000) - 1;

export const rzpToken = (k: DbToken): z.output<typeof rzpTokenObject> => ({
  id: k.id, entity: 'token', token: k.data.token, bank: null, wallet: null, method: 'card',
  card: {
    id: k.data.card.id, entity: 'card', name: k.data.card.name, last4: k.data.card.last4, network: k.data.card.network, type: 'credit', issuer: null,
    international: false, emi: false, sub_type: 'consumer', token_iin: null, expiry_month: k.data.card.expiry_month, expiry_year: k.data.card.expiry_year,
    flows: { otp: false, recurring: false },
  },
  recurring: false, recurring_details: { status: 'not_applicable', failure_reason: null }, auth_type: null, mrn: null,
  used_at: null, created_at: unix(k.created_at), expired_at: expiryOf(k.data.card.expiry_month, k.data.card.expiry_year), status: 'active',
  notes: notesOut(k.data.notes), dcc_enabled: false, compliant_with_tokenisation_guidelines: true, customer_id: k.customer_id,
});

const month = z.preprocess((v) => (typeof v === 'string' && /^\d{1,2}$/.test(v) ? Number(v) : v), z.number({ error: 'The expiry month must be a number.' }).int().min(1).max(12));
const year = z.preprocess((v) => (typeof v === 'string' && /^\d{2,4}$/.test(v) ? Number(v) : v), z.number({ error: 'The expiry year must be a number.' }).int().min(0).max(2100))
  .transform((y) => (y < 100 ? 2000 + y : y));

export const createTokenBody = z.strictObject({
  customer_id: z.string().min(1).max(40),
  method: z.literal('card', { error: 'Only card tokens are supported' }),
  card: z.strictObject({ number: z.string().min(1).max(30), cvv: z.string().min(3).max(4), expiry_month: month, expiry_year: year, name: z.string().max(100).optional() }),
  /** A network token's 3-D Secure proof: accepted, not checked (test cards only). */
  authentication: z.record(z.string(), z.unknown()).optional(),
  notes: notesField,
});

export async function createToken(t: Tx, ctx: Ctx, body: z.output<typeof createTokenBody>): Promise<DbToken> {
  const customer = await getCustomer(t, ctx.tenant.id, body.customer_id, 'customer_id');
  const card = resolveCard(ctx.tenant.id, { number: body.card.number, exp_month: body.card.expiry_month, exp_year: body.card.expiry_year, cvc: body.card.cvv });
  return insertObject<TokenData>(t, {
    id: newId('rzpToken'), tenantId: ctx.tenant.id, kind: 'token', customerId: customer.id,
    data: {
      token: randomBase62(14),
      card: {
        id: `card_${randomBase62(14)}`, name: body.card.name ?? null, last4: card.last4, network: NETWORKS[card.brand] ?? card.brand, bin: card.bin,
        expiry_month: card.exp_month, expiry_year: card.exp_year, behaviour: card.behaviour, fingerprint: card.fingerprint,
      },
      notes: body.notes ?? {},
    } satisfies TokenData,
  });
}

/** cards.fetch: the card of a saved token, by its card_ id. */
export async function cardOfToken(db: Queryable, tenantId: string, cardId: string) {
  const k = await tokenOfCard<TokenData>(db, tenantId, cardId);
  if (!k) throw notFound('card');
  return rzpToken(k).card;
}

/**
 * Checkout's "save card" (Razorpay's customer_id + save: 1): the card a payment was made with
 * becomes a token of the customer, once per card (a card saved before is not saved again). An
 * unknown customer saves nothing, as the payment itself is not refused for it.
 */
export async function saveCardOfPayment(t: Tx, ctx: Ctx, customerId: string, p: DbPayment): Promise<void> {
  if (p.method !== 'card' || !p.card_last4 || !p.card_exp_month || !p.card_exp_year) return;
  const customer = await getCustomer(t, ctx.tenant.id, customerId).catch(() => null);
  if (!customer) return;
  const saved = await tokensOf<TokenData>(t, ctx.tenant.id, customer.id);
  if (saved.some((k) => k.data.card.fingerprint !== undefined && k.data.card.fingerprint === p.card_fingerprint)) return;
  await insertObject<TokenData>(t, {
    id: newId('rzpToken'), tenantId: ctx.tenant.id, kind: 'token', customerId: customer.id,
    data: {
      token: randomBase62(14),
      card: {
        id: `card_${randomBase62(14)}`, name: null, last4: p.card_last4, network: NETWORKS[p.card_brand ?? ''] ?? p.card_brand ?? 'Unknown', bin: p.card_bin ?? '',
        expiry_month: p.card_exp_month, expiry_year: p.card_exp_year, behaviour: p.test_behaviour, ...(p.card_fingerprint ? { fingerprint: p.card_fingerprint } : {}),
      },
      notes: {},
    } satisfies TokenData,
  });
}

const getToken = (db: Queryable, tenantId: string, id: string) => getObject<TokenData>(db, tenantId, 'token', id, { what: 'token' });

/** A customer's token; another customer's is not found. */
async function customersToken(db: Queryable, tenantId: string, customerId: string, tokenId: string): Promise<DbToken> {
  const customer = await getCustomer(db, tenantId, customerId);
  const k = await getToken(db, tenantId, tokenId);
  if (k.customer_id !== customer.id) throw notFound('token');
  return k;
}

const base = { auth: 'face', face: razorpayHttpFace, tag: 'Razorpay' } as const;
const tokenId = idParam('rzpToken', 'token');
const byToken = z.strictObject({ id: tokenId });
const customerToken = z.strictObject({ id: idParam('rzpCustomer', 'customer'), token_id: tokenId });
const deleted = z.strictObject({ deleted: z.literal(true) });

export const tokenRoutes = [
  route({
    ...base, method: 'post', path: '/v1/tokens', write: true, summary: 'Save a card as a token of a customer (Razorpay)',
    description: 'Takes a published test card; the token pays as that card would.',
    body: createTokenBody, response: rzpTokenObject,
    example: { customer_id: 'cust_00000000000000000000', method: 'card', card: { number: '4242424242424242', cvv: '123', expiry_month: 12, expiry_year: 2030, name: 'Gaurav' } },
    handler: async ({ t, ctx, body }) => rzpToken(await createToken(t, ctx, body)),
  }),
  route({
    ...base, method: 'post', path: '/v1/tokens/fetch', write: true, summary: 'Fetch a token by id (Razorpay)', body: byToken, response: rzpTokenObject,
    example: { id: 'token_00000000000000000000' },
    handler: async ({ t, ctx, body }) => rzpToken(await getToken(t, ctx.tenant.id, body.id)),
  }),
  route({
    ...base, method: 'post', path: '/v1/tokens/delete', write: true, summary: 'Delete a token by id (Razorpay)', body: byToken, response: z.strictObject({}),
    example: { id: 'token_00000000000000000000' },
    handler: async ({ t, ctx, body }) => {
      const k = await getObject<TokenData>(t, ctx.tenant.id, 'token', body.id, { what: 'token', lock: true });
      await deleteObject(t, k.id);
      return {};
    },
  }),
  route({
    ...base, method: 'post', path: '/v1/cards/fingerprints', write: true, summary: "A card's network reference (PAR), from a test card number or a token (Razorpay)",
    description: 'The same card always has the same payment_account_reference within a tenant, whether given by number or by a token saved from it.',
    body: z.union([z.strictObject({ number: z.string().min(12).max(30), tokenised: z.boolean().optional() }), z.strictObject({ token: z.string().min(1).max(40) })]),
    response: z.strictObject({ network: z.string(), payment_account_reference: z.string(), network_reference_id: z.null() }),
    example: { number: '4242424242424242' },
    handler: async ({ t, ctx, body }) => {
      let network: string;
      let fingerprint: string;
      if ('number' in body) {
        const number = body.number.replace(/[\s-]/g, '');
        const test = TEST_CARDS.find((c) => c.number === number);
        if (!test) throw badRequest('unknown_test_card', 'Sandpay only accepts its published test card numbers', 'number');
        network = NETWORKS[test.brand] ?? test.brand;
        fingerprint = cardFingerprint(ctx.tenant.id, number);
      } else {
        const k = await getObject<TokenData>(t, ctx.tenant.id, 'token', body.token, { what: 'token', param: 'token' });
        if (!k.data.card.fingerprint) throw badRequest('token_without_reference', 'This token has no card reference', 'token');
        network = k.data.card.network;
        fingerprint = k.data.card.fingerprint;
      }
      return { network, payment_account_reference: parOf(fingerprint), network_reference_id: null };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/cards/:id', summary: "A saved card, by the card_ id of its token (Razorpay)",
    params: z.strictObject({ id: z.string().regex(/^card_[0-9A-Za-z]{14}$/, 'The id provided does not exist') }), response: rzpTokenCard,
    handler: async ({ db, ctx, params: p }) => cardOfToken(db, ctx.tenant.id, p.id),
  }),
  route({
    ...base, method: 'get', path: '/v1/customers/:id/tokens', summary: "A customer's tokens (Razorpay)", params: byId('rzpCustomer', 'customer'), response: collectionOf(rzpTokenObject),
    handler: async ({ db, ctx, params: p }) => {
      const c = await getCustomer(db, ctx.tenant.id, p.id);
      const items = (await tokensOf<TokenData>(db, ctx.tenant.id, c.id)).map(rzpToken);
      return { entity: 'collection' as const, count: items.length, items };
    },
  }),
  route({
    ...base, method: 'get', path: '/v1/customers/:id/tokens/:token_id', summary: "One of a customer's tokens (Razorpay)", params: customerToken, response: rzpTokenObject,
    handler: async ({ db, ctx, params: p }) => rzpToken(await customersToken(db, ctx.tenant.id, p.id, p.token_id)),
  }),
  route({
    ...base, method: 'delete', path: '/v1/customers/:id/tokens/:token_id', write: true, summary: "Delete a customer's token (Razorpay)", params: customerToken, response: deleted,
    handler: async ({ t, ctx, params: p }) => {
      const k = await customersToken(t, ctx.tenant.id, p.id, p.token_id);
      await deleteObject(t, k.id);
      return { deleted: true as const };
    },
  }),
];

