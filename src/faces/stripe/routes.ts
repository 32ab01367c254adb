import { catalogRoutes } from './routes/catalog.ts';
import { challengeRoutes } from './routes/challenge.ts';
import { chargeRoutes } from './routes/charges.ts';
import { checkoutSessionRoutes } from './routes/checkout-sessions.ts';
import { customerRoutes } from './routes/customers.ts';
import { elementRoutes } from './routes/elements.ts';
import { paymentMethodRoutes } from './routes/payment-methods.ts';
import { paymentIntentRoutes } from './routes/payment-intents.ts';
import { refundRoutes } from './routes/refunds.ts';
import { eventRoutes } from './routes/events.ts';
import { testClockRoutes } from './routes/test-clocks.ts';
import { webhookEndpointRoutes } from './routes/webhook-endpoints.ts';

/**
 * Stripe's API under /v1, as a view of the same ledger as /api/v1 and Razorpay's /v1: stripe-node
 * runs here by changing only its host (http-face.ts says which requests are Stripe's).
 */
export const stripeRoutes = [...paymentIntentRoutes, ...chargeRoutes, ...customerRoutes, ...paymentMethodRoutes, ...refundRoutes, ...catalogRoutes, ...webhookEndpointRoutes, ...eventRoutes, ...challengeRoutes, ...checkoutSessionRoutes, ...elementRoutes, ...testClockRoutes];
