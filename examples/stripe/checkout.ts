/**
 * The shop's Checkout Session redirect flow, written as Stripe's own guide has it: the server
 * creates a Checkout Session (mode payment) and redirects the browser to its `url`; the customer
 * pays on the hosted page and comes back to success_url, where the server reads the session with
 * the SDK before saying anything. Pointed at Sandpay by the API host alone, the hosted page is
 * Sandpay's (its test cards, 3-D Secure), on Sandpay's origin.
 *
 *   GET  /checkout                      the product page: a quantity and a "Checkout" button (a plain form, no script)
 *   POST /checkout/session              creates the session and answers 303 to its url
 *   GET  /checkout/success?session_id=  the session's status, payment status and total, as the SDK retrieves them
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';

const PRODUCT = { name: 'Sandpay T-shirt', unit_amount: 2000, currency: 'usd' };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const dollars = (cents: number | null) => (cents === null ? '—' : `$${(cents / 100).toFixed(2)}`);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    // The shop's pages run no script at all. No form-action: Chromium applies it to the 303 that
    // follows the form's POST too, and that goes to the hosted page on the payment provider's origin.
    'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Stripe Shop</title></head>
<body>
<main>
${body}
</main>
</body>
</html>
`);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/** The shop's own origin as the browser reached it, for the URLs Stripe sends the customer back to. */
const originOf = (req: IncomingMessage) => `http://${req.headers.host ?? '127.0.0.1'}`;

/** Answers the Checkout pages; false for any other request (the rest of the shop answers those). */
export function checkoutPages(stripe: Stripe): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> {
  return async (req, res, url) => {
    if (req.method === 'GET' && url.pathname === '/checkout') {
      page(res, 200, PRODUCT.name, `<h1>${esc(PRODUCT.name)}</h1>
<p>${dollars(PRODUCT.unit_amount)} each.</p>
<form method="post" action="/checkout/session">
  <label for="quantity">Quantity</label>
  <input id="quantity" name="quantity" type="number" min="1" max="10" value="1" required>
  <button type="submit">Checkout</button>
</form>`);
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/checkout/session') {
      const quantity = Math.min(10, Math.max(1, Number((await readForm(req)).get('quantity')) || 1));
      const origin = originOf(req);
      const session = await stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price_data: { currency: PRODUCT.currency, unit_amount: PRODUCT.unit_amount, product_data: { name: PRODUCT.name } }, quantity }],
        success_url: `${origin}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${origin}/checkout`,
      });
      res.writeHead(303, { location: session.url! });
      res.end();
      return true;
    }
    if (req.method === 'GET' && url.pathname === '/checkout/success') {
      const id = url.searchParams.get('session_id') ?? '';
      let session: Stripe.Checkout.Session;
      try {
        session = await stripe.checkout.sessions.retrieve(id);
      } catch {
        page(res, 404, 'Order not found', '<h1>Order not found</h1><p>We could not find this checkout. <a href="/checkout">Back to the shop</a></p>');
        return true;
      }
      const paid = session.payment_status === 'paid';
      page(res, 200, paid ? 'Thank you' : 'Payment pending', `<h1>${paid ? 'Thank you for your order' : 'Your payment is not complete'}</h1>
<dl>
  <dt>Checkout session</dt><dd id="session-id">${esc(session.id)}</dd>
  <dt>Status</dt><dd id="session-status">${esc(session.status ?? '')}</dd>
  <dt>Payment status</dt><dd id="payment-status">${esc(session.payment_status)}</dd>
  <dt>Total</dt><dd id="amount-total">${dollars(session.amount_total)}</dd>
</dl>
<p><a href="/checkout">Back to the shop</a></p>`);
      return true;
    }
    return false;
  };
}
