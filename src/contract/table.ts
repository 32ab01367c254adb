import type { AnyRoute } from './route.ts';
import { auditRoutes } from './routes/audit.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { credentialRoutes } from './routes/credentials.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { openApiRoute } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { eventStreamRoutes } from './routes/events-stream.ts';
import { fraudRoutes } from './routes/fraud.ts';
import { operatorRoutes } from './routes/operators.ts';
import { orderRoutes } from './routes/orders.ts';
import { paymentRoutes } from './routes/payments.ts';
import { publicRoutes } from './routes/public.ts';
import { razorpayRoutes } from './routes/razorpay.ts';
import { refundRoutes } from './routes/refunds.ts';
import { requestLogRoutes } from './routes/request-log.ts';
import { tenantRoutes } from './routes/tenants.ts';
import { webhookRoutes } from './routes/webhooks.ts';

/**
 * The API contract: every route Sandpay serves, with its auth, schemas and answers. Express is
 * mounted from this table, the OpenAPI document is generated from it, and the test sweeps
 * (isolation, fuzzing, contract checks) iterate it.
 */
export const ROUTES: readonly AnyRoute[] = [
  ...publicRoutes,
  ...tenantRoutes,
  ...credentialRoutes,
  ...orderRoutes,
  ...paymentRoutes,
  ...refundRoutes,
  ...eventStreamRoutes, // before eventRoutes: /events/stream is not /events/:id
  ...eventRoutes,
  ...webhookRoutes,
  ...fraudRoutes,
  ...auditRoutes,
  ...checkoutRoutes,
  ...operatorRoutes,
  ...dashboardRoutes,
  ...requestLogRoutes,
  ...razorpayRoutes, // the /v1 Razorpay face (src/razorpay/)
  openApiRoute(() => ROUTES),
];
