import { cardFields, esc, testCardList } from '../../checkout/page.ts';
import { pageShell } from '../../checkout/page-shell.ts';

/**
 * The HTML of the Stripe.js stand-in's pages: the card Element's frame holds the hosted
 * checkout's own card fields, labels, test-card list and stylesheet (src/checkout/page.ts), and
 * its script (public/element.js) uses the checkout's card rules; nothing loads from elsewhere.
 */

const ASSETS = '/stripe/elements/assets';

const shell = (title: string, data: Record<string, string>, body: string, script: string) =>
  pageShell({ title: `${title} · Sandpay`, htmlClass: 'element', data, body, stylesheets: [`${ASSETS}/element.css`], script: `${ASSETS}/${script}` });

export interface ElementFrame {
  /** The merchant's page's origin: the only window the frame talks to. */
  origin: string;
  key: string;
  /** Stripe.js's id for the Element, on every message, so two Elements on a page never mix. */
  element: string;
  type: 'card' | 'payment';
}

/** The card form: number, expiry, CVC, an error line for the whole form, and the test cards (closed). */
export function renderElementFrame(f: ElementFrame): string {
  return shell('Card details', { origin: f.origin, key: f.key, element: f.element, type: f.type }, `<main aria-label="Card details">
<form id="card-form" novalidate>
${cardFields()}
<p class="form-error" id="form-error" role="alert" hidden></p>
${testCardList(false, 'stripe')}
</form>
</main>`, 'element.js');
}

/** An Element that cannot load (unknown key, an origin the store does not allow): the reason, in words and as a code for Stripe.js. */
export function renderElementProblem(f: Omit<ElementFrame, 'key' | 'type'>, code: string, message: string): string {
  return shell('Card details unavailable', { origin: f.origin, element: f.element, 'problem-code': code, 'problem-message': message }, `<main aria-label="Card details">
<p class="form-error" role="alert">${esc(message)}</p>
</main>`, 'element.js');
}

/** Where the overlay's challenge lands: says so, and its script tells the merchant's page. */
export function renderOverlayReturn(origin: string, paymentIntent: string, redirectStatus: string): string {
  return shell('Authentication finished', { origin, 'payment-intent': paymentIntent, 'redirect-status': redirectStatus }, `<main class="checkout" aria-labelledby="title">
<section class="screen">
<h1 id="title">Authentication finished</h1>
<p role="status">Returning to the store…</p>
</section>
</main>`, 'return.js');
}
