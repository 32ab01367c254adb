/**
 * The shop's Elements page, written as Stripe's docs write one: the server creates a PaymentIntent
 * with the secret key and hands the page its client_secret; the page loads Stripe.js, mounts a
 * card Element and calls `stripe.confirmCardPayment` (3-D Secure, when the card asks for it, shows
 * in Stripe.js's overlay). Pointed at Sandpay by Stripe.js's host alone (`jsUrl`: Sandpay's
 * origin, whose /v3/ stands in for https://js.stripe.com/v3/).
 *
 *   GET  /elements             the page
 *   GET  /elements.js          its script
 *   POST /api/elements/intent  a $20.00 PaymentIntent: { id, client_secret }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';

export interface ElementsOptions {
  stripe: Stripe;
  /** pk_test_…: Sandpay's publishable key is the Stripe publishable key. */
  publishableKey: string;
  /** Where Stripe.js comes from: https://js.stripe.com, or Sandpay's URL. */
  jsUrl: string;
  /** The API Stripe.js calls (for the page's CSP): https://api.stripe.com, or Sandpay's URL. */
  apiUrl: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

function page(o: ElementsOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pay by card · Stripe shop</title>
<script src="${esc(new URL('/v3/', o.jsUrl).toString())}"></script>
</head>
<body data-pk="${esc(o.publishableKey)}">
<main>
<h1>Pay by card</h1>
<p>Order total: <strong>$20.00</strong></p>
<form id="payment-form">
  <label for="card-element">Card</label>
  <div id="card-element"></div>
  <p id="card-errors" role="alert"></p>
  <button id="pay" type="submit">Pay $20.00</button>
</form>
<p id="result" role="status"></p>
</main>
<script src="/elements.js"></script>
</body>
</html>
`;
}

/** The page's script: nothing in it knows Sandpay. */
const SCRIPT = `
const $ = (id) => document.getElementById(id);
const stripe = Stripe(document.body.dataset.pk);
const card = stripe.elements().create('card');
card.mount('#card-element');
card.on('change', (e) => { $('card-errors').textContent = e.error ? e.error.message : ''; });
$('payment-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  $('pay').disabled = true;
  $('card-errors').textContent = '';
  $('result').textContent = 'Processing…';
  const created = await fetch('/api/elements/intent', { method: 'POST' }).then((r) => r.json());
  const { paymentIntent, error } = await stripe.confirmCardPayment(created.client_secret, { payment_method: { card } });
  $('pay').disabled = false;
  if (error) {
    $('result').textContent = '';
    $('card-errors').textContent = error.message;
  } else {
    $('result').textContent = 'Payment ' + paymentIntent.status + ': ' + paymentIntent.id;
  }
});
`;

/** Answers the Elements flow's requests; false for any other. */
export function elementsFlow(o: ElementsOptions): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  const js = new URL(o.jsUrl).origin;
  const api = new URL(o.apiUrl).origin;
  // Scripts, frames and calls from the shop and Stripe.js's host only.
  const csp = `default-src 'self'; script-src 'self' ${js}; frame-src ${js}; connect-src 'self' ${js} ${api}; style-src 'self'; img-src 'self' data:`;
  return async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/elements') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page(o));
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/elements.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(SCRIPT);
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/api/elements/intent') {
      const pi = await o.stripe.paymentIntents.create({ amount: 2000, currency: 'usd', automatic_payment_methods: { enabled: true }, metadata: { flow: 'elements' } });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: pi.id, client_secret: pi.client_secret }));
      return true;
    }
    return false;
  };
}
