import type { AnyRoute } from '../../routing/route.ts';
import type { GatewayFace } from '../../routing/face.ts';
import { auditRoutes } from './routes/audit.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { clockRoutes } from './routes/clock.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { eventRoutes } from './routes/events.ts';
import { eventStreamRoutes } from './routes/events-stream.ts';
import { fraudRoutes } from './routes/fraud.ts';
import { operatorRoutes } from './routes/operators.ts';
import { orderRoutes } from './routes/orders.ts';
import { paymentRoutes } from './routes/payments.ts';
import { publicRoutes } from './routes/public.ts';
import { refundRoutes } from './routes/refunds.ts';
import { requestLogRoutes } from './routes/request-log.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/**
 * Sandpay's own API (/api/v1, the health checks, the hosted checkout's endpoints): one file of
 * routes per capability. What the other gateway `faces` add to it comes from their own folders:
 * their webhook formats, the key pairs the key routes make, their checkout.js modes.
 */
export function nativeRoutes(faces: readonly GatewayFace[]): AnyRoute[] {
  const webhookFaces = faces.flatMap((f) => (f.webhook ? [f.webhook] : []));
  const keyPairs = faces.flatMap((f) => (f.keyPair ? [f.keyPair] : []));
  const checkoutFaces = faces.flatMap((f) => (f.checkout ? [f.checkout] : []));
  return [
    ...publicRoutes,
    ...tenantRoutes(keyPairs),
    ...credentialRoutes,
    ...orderRoutes,
    ...paymentRoutes,
    ...refundRoutes,
    ...eventStreamRoutes, // before eventRoutes: /events/stream is not /events/:id
    ...eventRoutes,
    ...webhookRoutes(webhookFaces),
    ...fraudRoutes,
    ...auditRoutes,
    ...checkoutRoutes(checkoutFaces),
    ...operatorRoutes,
    ...dashboardRoutes,
    ...requestLogRoutes,
    ...clockRoutes,
  ];
}
