import Stripe from 'stripe';

/** The official stripe SDK pointed at a Sandpay by its host alone, as a user does. No network retries unless asked. */
export function stripeSdk(url: string, key: string, opts: { maxNetworkRetries?: number; apiVersion?: string } = {}): Stripe {
  const u = new URL(url);
  return new Stripe(key, {
    host: u.hostname, port: Number(u.port), protocol: u.protocol.replace(':', '') as 'http',
    maxNetworkRetries: opts.maxNetworkRetries ?? 0, telemetry: false,
    ...(opts.apiVersion ? { apiVersion: opts.apiVersion as Stripe.LatestApiVersion } : {}),
  });
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function stripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (err) {
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}
