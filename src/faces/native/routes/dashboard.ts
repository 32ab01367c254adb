import type { Request } from 'express';
import { z } from 'zod';
import { forbidden } from '../../../core/errors.ts';
import { listOf } from '../../../core/schemas.ts';
import { overview, overviewObject, overviewQuery } from '../../../dashboard/overview.ts';
import { sessionView, signIn } from '../../../dashboard/sessions.ts';
import { revokeSession } from '../../../dashboard/store.ts';
import { tokensEqual } from '../../../ids.ts';
import { paymentTimeline, timelineEntryObject } from '../../../payments/timeline.ts';
import { sendTestEvent, webhookTestObject } from '../../../dashboard/test-event.ts';
import { byId, route, type RawReply } from '../../../routing/route.ts';
import { useClock } from '../../../tenants/clock.ts';

const tag = 'Dashboard';

const sessionObject = z
  .strictObject({
    object: z.literal('dashboard_session'),
    id: z.string(),
    kind: z.enum(['tenant', 'operator']),
    tenant: z.strictObject({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
    csrf_token: z.string().meta({ description: 'Send as X-CSRF-Token on every session request but GET' }),
    expires_at: z.string(),
  })
  .meta({ id: 'DashboardSession' });

const signInBody = z.strictObject({
  key: z.string().min(1, 'Enter your secret key or the admin token').max(500).meta({ description: 'A secret key (sk_test_…) or the admin token' }),
});

/** A sign-in must come from a page of this Sandpay: a cross-site form cannot log a victim into the attacker's account. */
function assertSameOrigin(req: Request, publicUrl: string | undefined): void {
  const origin = req.header('origin');
  if (origin === undefined) return;
  const own = [`${req.protocol}://${req.get('host')}`, ...(publicUrl ? [new URL(publicUrl).origin] : [])];
  if (!own.includes(origin)) throw forbidden('cross_origin_sign_in', 'Sign in from the dashboard page itself');
}

export const dashboardRoutes = [
  route({
    method: 'post', path: '/api/v1/dashboard/session', auth: 'none', rateLimit: 'ip', tag, status: 201,
    summary: 'Sign in to the dashboard',
    description:
      'With a secret key (a tenant session) or the admin token (an operator session). Sets an HttpOnly, SameSite=Strict session cookie (Secure over HTTPS); ' +
      'the key itself is never stored by the browser. A tenant session ends when its key is rotated.',
    body: signInBody, response: sessionObject, produces: 'application/json', errors: [401, 403], example: { key: 'sk_test_0000' },
    handler: async ({ svc, body, web }) => ({
      raw: async (res) => {
        assertSameOrigin(res.req, svc.config.publicUrl);
        const { token, session } = await signIn(svc.db, body.key, { adminToken: svc.config.adminToken, userAgent: res.req.header('user-agent'), tokensEqual });
        web.setSessionCookie(res, token, session.expiresAt);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json(sessionView(session, session.tenant));
      },
    }) satisfies RawReply,
  }),
  route({
    method: 'get', path: '/api/v1/dashboard/session', auth: 'session', tag, summary: 'The signed-in dashboard session and its CSRF token', response: sessionObject,
    handler: async ({ session, ctx }) => sessionView(session!, ctx?.tenant ?? null),
  }),
  route({
    method: 'delete', path: '/api/v1/dashboard/session', auth: 'session', tag, summary: 'Sign out: the session ends and its cookie is cleared',
    response: z.strictObject({ object: z.literal('dashboard_session'), id: z.string(), deleted: z.literal(true) }), produces: 'application/json',
    handler: async ({ svc, session, web }) => ({
      raw: async (res) => {
        await revokeSession(svc.db, session!.id);
        web.clearSessionCookie(res);
        res.json({ object: 'dashboard_session', id: session!.id, deleted: true });
      },
    }) satisfies RawReply,
  }),
  route({
    method: 'get', path: '/api/v1/overview', auth: 'secret', tag, summary: 'Payments, refunds and webhook health today and in the last hour, with per-minute series',
    query: overviewQuery, response: overviewObject,
    // One connection for its seven queries (they queue on it), so a dashboard never takes more than its share of the pool.
    // On the tenant's clock: "today" and "the last hour" are its (README, Time travel).
    handler: ({ db, ctx, query }) => db.tx((t) => {
      useClock(t, ctx.tenant);
      return overview(t, ctx.tenant.id, query.tz);
    }),
  }),
  route({
    method: 'get', path: '/api/v1/admin/overview', auth: 'admin', tag: 'Operators', summary: 'The overview across every tenant (throughput and delivery charts)',
    query: overviewQuery, response: overviewObject,
    handler: ({ db, query }) => db.tx((t) => overview(t, null, query.tz)),
  }),
  route({
    method: 'get', path: '/api/v1/payments/:id/timeline', auth: 'secret', permission: { resource: 'payments', level: 'read' }, tag: 'Payments',
    summary: "A payment's events and its refunds', oldest first, each with its webhook deliveries and their attempts",
    params: byId('payment', 'payment'), response: listOf(timelineEntryObject),
    handler: ({ db, ctx, params: p }) => paymentTimeline(db, ctx.tenant.id, p.id),
  }),
  route({
    method: 'post', path: '/api/v1/webhook-endpoints/:id/test', auth: 'secret', permission: { resource: 'webhooks', level: 'write' }, tag: 'Webhook endpoints', idempotency: 'none',
    summary: 'Send a signed test event to an endpoint now and see its answer',
    description: 'A `payment.success` event with an `evt_test_` id and `X-Sandpay-Test: true`, about your latest successful payment (or a sample). Not stored, not retried.',
    params: byId('webhookEndpoint', 'webhook endpoint'), body: z.strictObject({}), response: webhookTestObject, example: {},
    handler: ({ svc, ctx, params: p }) => sendTestEvent(svc, ctx.tenant.id, p.id),
  }),
];
