import type { Request } from 'express';
import { z } from 'zod';
import { DomainError, forbidden } from '../../../core/errors.ts';
import { listOf } from '../../../core/schemas.ts';
import type { Queryable } from '../../../db/pool.ts';
import { assertOpenerAllowed, frameAncestors, parseOrigin, type OriginPolicy } from '../../../checkout/origins.ts';
import { answerChallenge, cancelFromPage, loadPageSession, payFromPage, sessionState, type PageSession } from '../../../checkout/pay.ts';
import { checkoutPageHeaders, renderCheckoutPage, renderProblemPage } from '../../../checkout/page.ts';
import {
  authenticateBodySchema, createSessionSchema, listSessionsQuery, payBodySchema, sessionObject, sessionStateObject,
} from '../../../checkout/schemas.ts';
import { createSession, sessionView } from '../../../checkout/sessions.ts';
import { getSession, listSessions } from '../../../checkout/store.ts';
import type { CheckoutFace } from '../../../checkout/faces.ts';
import { settingsOf, type DbTenant } from '../../../tenants/tenants.ts';
import { byId, pageArgs, route, type RawReply } from '../../../routing/route.ts';
import type { Services } from '../../../services.ts';

const tag = 'Checkout';
const params = byId('checkoutSession', 'checkout session');

/** Fields only the secret key may set: a browser opens a session for an order, nothing more. */
const SECRET_ONLY = ['amount', 'currency', 'success_url', 'cancel_url', 'metadata', 'expires_in'] as const;

const policyOf = (svc: Services, tenant: DbTenant): OriginPolicy => ({
  allowed: settingsOf(tenant).checkout.allowed_origins,
  production: svc.config.env === 'production',
});

/** A browser asking for the page gets a page; an API client gets the usual error shape. */
const wantsHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

/**
 * Checkout sessions and the hosted page. Sessions that checkout.js opens with a gateway face's key
 * id are that face's (`faces`): their results are signed with that key's secret, and their state
 * carries the face's fields.
 */
export function checkoutRoutes(faces: readonly CheckoutFace[]) {
  const load = (db: Queryable, svc: Services, id: string) => loadPageSession(db, id, svc.keys, faces);
  const stateObject = sessionStateObject(Object.assign({}, ...faces.map((f) => f.paymentFieldSchemas)) as Record<string, z.ZodType>);
  /** The hosted page's calls carry no key: its Idempotency-Keys live in a key space of that session's own. */
  const pageScope = async ({ svc, params: p }: { svc: Services; params: { id: string } }) => ({
    tenantId: (await load(svc.db, svc, p.id)).tenant.id,
    space: `page:${p.id}`,
  });
  return [
    route({
      method: 'post', path: '/api/v1/checkout/sessions', auth: 'publishable', permission: { resource: 'payments', level: 'write' }, tag, status: 201, errors: [404, 409, 422],
      summary: 'Open a checkout session',
      description:
        'With the secret key: for `order_id`, or for `amount` + `currency` (an order is created), with optional `success_url`, `cancel_url`, `methods`, `prefill`, `description`, `notes`, `metadata`, `expires_in`. ' +
        "With the publishable key (checkout.js in a browser): only `order_id` of the tenant's own order, `methods`, `prefill`, `name`, `description`, `notes` (each payment's metadata, as Razorpay's checkout `notes`); the page's Origin must be in `checkout.allowed_origins` when that is set (and it must be set in production). " +
        'Send the payer to `url`, or let checkout.js frame it.',
      body: createSessionSchema, response: sessionObject, write: true,
      example: { amount: 49900, currency: 'INR', success_url: 'https://shop.example/thanks', description: 'T-shirt' },
      async prepare({ svc, ctx, body, keyType, header }) {
        if (keyType !== 'publishable') return;
        const extra = SECRET_ONLY.find((f) => body[f] !== undefined);
        if (extra) throw forbidden('secret_key_required', `${extra} can only be set with your secret key; checkout.js opens a session for an existing order_id`, extra);
        if (body.order_id === undefined) throw new DomainError('invalid', 'parameter_missing', 'Missing required parameter: order_id', { param: 'order_id' });
        assertOpenerAllowed(policyOf(svc, ctx.tenant), parseOrigin(header('origin')));
      },
      handler: async ({ svc, t, ctx, body, keyType, header, baseUrl, faceKeyId }) => {
        const origin = keyType === 'publishable' ? parseOrigin(header('origin')) : null;
        return sessionView(await createSession(t, svc, ctx, body, { keyType: keyType!, origin, baseUrl, faceKeyId }));
      },
    }),
    route({
      method: 'get', path: '/api/v1/checkout/sessions', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: 'List checkout sessions', query: listSessionsQuery, response: listOf(sessionObject),
      handler: ({ db, ctx, query: q }) => listSessions(db, ctx.tenant.id, { status: q.status, orderId: q.order_id }, pageArgs(q), sessionView),
    }),
    route({
      method: 'get', path: '/api/v1/checkout/sessions/:id', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag, summary: 'Retrieve a checkout session', params, response: sessionObject,
      handler: async ({ db, ctx, params: p }) => sessionView(await getSession(db, ctx.tenant.id, p.id)),
    }),

    // ----- the hosted page and its session-scoped calls (no API key: the session id is the credential) -----
    route({
      method: 'get', path: '/checkout/:id', auth: 'none', rateLimit: 'ip', tag, summary: 'The hosted checkout page (HTML)',
      description: 'Framed by checkout.js, or opened as a full page (the session `url`). A browser asking for an unknown or unusable session gets a page saying so.',
      params: z.strictObject({ id: z.string().max(100) }), response: z.string(), produces: 'text/html', errors: [403, 404],
      handler: async ({ svc, params: p }) => ({
        raw: async (res) => {
          let page: PageSession;
          try {
            page = await load(svc.db, svc, p.id);
          } catch (err) {
            if (!(err instanceof DomainError) || !wantsHtml(res.req)) throw err;
            checkoutPageHeaders(res, "'none'");
            const title = err.kind === 'not_found' ? 'Checkout not found' : 'Checkout unavailable';
            const text = err.kind === 'not_found' ? 'This checkout link is not valid. Return to the merchant and start again.' : err.message;
            res.status(err.kind === 'not_found' ? 404 : 403).type('html').send(renderProblemPage(title, text));
            return;
          }
          const policy = policyOf(svc, page.tenant);
          checkoutPageHeaders(res, frameAncestors(policy, page.session.origin));
          res.type('html').send(renderCheckoutPage({
            session: page.session, merchant: page.session.name ?? page.tenant.name, state: sessionState(page), opener: page.session.origin, partial: page.partial,
          }));
        },
      }) satisfies RawReply,
    }),
    route({
      method: 'get', path: '/checkout/:id/status', auth: 'none', rateLimit: 'ip', tag, summary: "The hosted page's view of its session (polled while a payment settles)",
      params, response: stateObject, errors: [403],
      handler: async ({ db, svc, params: p }) => sessionState(await load(db, svc, p.id)),
    }),
    route({
      method: 'post', path: '/checkout/:id/pay', auth: 'none', rateLimit: 'ip', tag, summary: 'Pay from the hosted page (a new payment for the order on each attempt)',
      description: 'Honours `Idempotency-Key` (the page sends one per attempt). Under a lock on the order: refused while the order is paid or has a payment in progress, so one order never gets two successful payments.',
      params, body: payBodySchema, response: stateObject, write: true, idempotencyScope: pageScope, errors: [403, 409],
      example: { method: 'upi', vpa: 'success@sandpay' },
      handler: async ({ t, svc, params: p, body, requestId }) => sessionState(await payFromPage(t, svc, await load(t, svc, p.id), body, requestId)),
    }),
    route({
      method: 'post', path: '/checkout/:id/authenticate', auth: 'none', rateLimit: 'ip', tag, summary: "Answer the 3-D Secure test card's challenge",
      params, body: authenticateBodySchema, response: stateObject, write: true, idempotencyScope: pageScope, errors: [403, 409], example: { outcome: 'complete' },
      handler: async ({ t, svc, params: p, body, requestId }) => sessionState(await answerChallenge(t, svc, await load(t, svc, p.id), body.outcome, requestId)),
    }),
    route({
      method: 'post', path: '/checkout/:id/cancel-payment', auth: 'none', rateLimit: 'ip', tag, summary: 'Cancel the payment in progress (to pay another way)',
      params, body: z.strictObject({}), response: stateObject, write: true, idempotencyScope: pageScope, errors: [403, 409], example: {},
      handler: async ({ t, svc, params: p, requestId }) => sessionState(await cancelFromPage(t, svc, await load(t, svc, p.id), requestId)),
    }),
  ];
}
