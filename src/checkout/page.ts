import { TEST_CARDS, TEST_VPAS } from '../payments/instruments.ts';
import { esc, pageHeaders, pageShell } from './page-shell.ts';
import { WALLETS } from '../payments/schemas.ts';
import type { SessionState } from './schemas.ts';
import type { DbSession } from './sessions.ts';

/**
 * The hosted checkout page, rendered on the server: every screen is in the HTML (one shown at a
 * time by /checkout/assets/page.js), so the amount, the merchant and the labels are there before
 * any script runs, and the page needs no build step and no network beyond Sandpay itself.
 */

export { ASSET_VERSION, esc } from './page-shell.ts';
/** How often the waiting screen asks for news (the page reads it from data-poll-ms). */
export const POLL_MS = 700;


/** Minor units to a display amount, with the currency's own number of decimals (JPY 0, KWD 3). */
export function formatAmount(minor: number, currency: string): string {
  const locale = currency === 'INR' ? 'en-IN' : 'en-US';
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
  return fmt.format(minor / 10 ** digits);
}

const OUTCOME: Record<string, string> = {
  succeed: 'succeeds',
  decline: 'declined',
  insufficient_funds: 'insufficient funds',
  expired_card: 'expired card',
  incorrect_cvc: 'incorrect CVC',
  processing_error: 'processing error',
  lost_card: 'reported lost',
  stolen_card: 'reported stolen',
  delayed_success: '3-D Secure challenge',
  stay_pending: 'stays pending',
  fraud: 'flagged as fraud',
};

const BANKS: Array<[string, string]> = [
  ['HDFC', 'HDFC Bank'], ['ICIC', 'ICICI Bank'], ['SBIN', 'State Bank of India'], ['UTIB', 'Axis Bank'],
  ['FAIL', 'Test bank: declines'], ['PEND', 'Test bank: stays pending'], ['SLOW', 'Test bank: succeeds after a delay'],
];

const METHOD_LABEL: Record<string, string> = { card: 'Card', upi: 'UPI', netbanking: 'Netbanking', wallet: 'Wallet' };

const groupDigits = (n: string) => (n.length === 15 ? `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}` : n.replace(/(\d{4})(?=\d)/g, '$1 '));

/**
 * Which test cards a page lists: Sandpay's own page all but Stripe's extra numbers; a Stripe page
 * (its hosted Checkout, its card Element) only what a Stripe integration can meet — no RuPay
 * (not a Stripe network) and no "stays pending" card, whose way out is Sandpay's own simulate call.
 */
export type CardList = 'native' | 'stripe';

const listed = (list: CardList) => (c: (typeof TEST_CARDS)[number]) =>
  list === 'stripe' ? c.brand !== 'rupay' && c.behaviour !== 'stay_pending' : !c.stripe;

function instruments(method: string, first: string, open = true, list: CardList = 'native'): string {
  const item = (attrs: string, label: string, outcome: string) =>
    `<li><button type="button" class="instrument" ${attrs}><span class="mono">${esc(label)}</span> <span class="outcome">${esc(outcome)}</span></button></li>`;
  let items: string[];
  switch (method) {
    case 'card':
      items = TEST_CARDS.filter(listed(list)).map((c) => item(`data-fill-card="${c.number}"`, groupDigits(c.number), `${c.brand}${c.funding ? ` ${c.funding}` : ''} · ${OUTCOME[c.behaviour]}`));
      break;
    case 'upi':
      items = Object.entries(TEST_VPAS).map(([vpa, b]) => item(`data-fill-vpa="${vpa}"`, vpa, b === 'stay_pending' ? 'waits for the collect request' : OUTCOME[b]!));
      break;
    case 'netbanking':
      items = BANKS.filter(([code]) => ['HDFC', 'FAIL', 'PEND', 'SLOW'].includes(code)).map(([code, name]) => item(`data-fill-bank="${code}"`, code, name.replace('Test bank: ', '')));
      break;
    default:
      items = [item('data-fill-wallet="paytm"', 'paytm', 'succeeds')];
  }
  return `<details class="instruments" data-method="${method}"${open ? ' open' : ''}${method === first ? '' : ' hidden'}><summary>Test ${method === 'card' ? 'cards' : 'values'}: click one to fill the form</summary><ul>${items.join('')}</ul></details>`;
}

function field(id: string, label: string, input: string, hint = ''): string {
  return `<div class="field"><label for="${id}">${label}</label>${hint ? `<p class="hint" id="${id}-hint">${hint}</p>` : ''}${input}<p class="field-error" id="${id}-error" hidden></p></div>`;
}

/** The card's three fields with their labels, hints and error slots: the Stripe face's card Element shows the same. */
export function cardFields(): string {
  return field('card-number', 'Card number', '<input id="card-number" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="23" aria-describedby="card-number-error" required>') +
    '<div class="row">' +
    field('card-expiry', 'Expiry', '<input id="card-expiry" inputmode="numeric" autocomplete="off" placeholder="MM/YY" maxlength="7" aria-describedby="card-expiry-hint card-expiry-error" required>', 'MM/YY') +
    field('card-cvc', 'CVC', '<input id="card-cvc" inputmode="numeric" autocomplete="off" maxlength="4" aria-describedby="card-cvc-hint card-cvc-error" required>', '3 digits, 4 for Amex') +
    '</div>';
}

/** The test cards, each a button that fills the card fields (page.js and the card Element, where the list starts closed). */
export const testCardList = (open: boolean, list: CardList = 'native') => instruments('card', 'card', open, list);

function panel(method: string, selected: boolean): string {
  const body: Record<string, string> = {
    card: cardFields(),
    upi: field('upi-vpa', 'UPI ID', '<input id="upi-vpa" autocomplete="off" spellcheck="false" placeholder="name@bank" aria-describedby="upi-vpa-error" required>'),
    netbanking: field('bank', 'Bank', `<select id="bank" aria-describedby="bank-error">${BANKS.map(([c, n]) => `<option value="${c}">${esc(n)}</option>`).join('')}</select>`),
    wallet: field('wallet', 'Wallet', `<select id="wallet" aria-describedby="wallet-error">${WALLETS.map((w) => `<option value="${w}">${w}</option>`).join('')}</select>`),
  };
  return `<div class="panel" role="tabpanel" id="panel-${method}" aria-labelledby="tab-${method}" data-method="${method}"${selected ? '' : ' hidden'}>${body[method]}</div>`;
}

/** The screen a state shows; page.js makes the same choice (render()) as the state changes. */
export function initialScreen(state: SessionState): string {
  if (state.status === 'complete') return 'success';
  if (state.status === 'expired') return 'expired';
  const p = state.payment;
  if (p?.status === 'pending') return p.next_action === 'three_ds_challenge' ? 'challenge' : 'waiting';
  if (p && p.status !== 'success') return 'failed';
  return 'form';
}

export interface PageInput {
  session: DbSession;
  merchant: string;
  state: SessionState;
  /** Where the page may post results: the origin that opened it through checkout.js. */
  opener: string | null;
  /** What is bought, line by line (a gateway face's session that has line items). */
  lines?: ReadonlyArray<{ description: string; quantity: number; amount: string }>;
  /**
   * The success and cancel URLs are followed as they are, with nothing added (Stripe's Checkout:
   * the merchant's success_url names the session itself); else the result's ids and signature go along.
   */
  exactRedirects?: boolean;
  /** Which test cards to offer (a gateway face's page lists that gateway's). */
  cards?: CardList;
  /** An order taking partial payments: the payer chooses this payment's amount, min..due (minor units). */
  partial?: { due: number; min: number } | null;
}

/** Minor units as the payer types them: 2500 paise → "25.00" (JPY 2500 → "2500"). */
function plainAmount(minor: number, currency: string): { text: string; digits: number } {
  const digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return { text: (minor / 10 ** digits).toFixed(digits), digits };
}

/** The "Amount to pay" field of a partial order's page (page.js validates it and sends it as `amount`). */
function amountField(p: { due: number; min: number }, currency: string): string {
  const { text, digits } = plainAmount(p.due, currency);
  const hint = `Pay part or all of what is due: from ${formatAmount(p.min, currency)} to ${formatAmount(p.due, currency)}.`;
  return field('pay-amount', 'Amount to pay', `<input id="pay-amount" inputmode="decimal" autocomplete="off" spellcheck="false" value="${text}" data-min="${p.min}" data-due="${p.due}" data-digits="${digits}" data-currency="${esc(currency)}" aria-describedby="pay-amount-hint pay-amount-error" required>`, esc(hint));
}

function cancelHref(s: DbSession, paymentId: string | null, exact = false): string | null {
  if (!s.cancel_url) return null;
  if (exact) return s.cancel_url;
  const u = new URL(s.cancel_url);
  u.searchParams.set('order_id', s.order_id);
  u.searchParams.set('session_id', s.id);
  if (paymentId) u.searchParams.set('payment_id', paymentId);
  return u.toString();
}


function linesList(lines: PageInput['lines'], total: string): string {
  if (!lines || lines.length === 0) return '';
  const rows = lines.map((l) => `<li><span class="line-name">${esc(l.description)}${l.quantity > 1 ? ` <span class="line-qty">× ${l.quantity}</span>` : ''}</span> <span class="line-amount">${esc(l.amount)}</span></li>`);
  return `<ul class="lines" aria-label="Order summary">${rows.join('')}<li class="line-total"><span class="line-name">Total</span> <span class="line-amount">${esc(total)}</span></li></ul>`;
}

export function renderCheckoutPage({ session: s, merchant, state, opener, lines, exactRedirects = false, cards = 'native', partial = null }: PageInput): string {
  const amount = formatAmount(Number(s.amount), s.currency);
  const payNow = partial ? formatAmount(partial.due, s.currency) : amount;
  const cancel = cancelHref(s, state.payment?.id ?? null, exactRedirects);
  const tabs = s.methods
    .map((m, i) => `<button type="button" role="tab" id="tab-${m}" aria-controls="panel-${m}" aria-selected="${i === 0}" tabindex="${i === 0 ? 0 : -1}">${METHOD_LABEL[m]}</button>`)
    .join('');
  const stateJson = JSON.stringify({ state, success_url: s.success_url, cancel_url: cancel, exact_redirects: exactRedirects }).replace(/</g, '\\u003c');
  const initial = initialScreen(state);
  const hide = (screen: string) => (screen === initial ? '' : 'hidden');
  const back = cancel ? `<a class="link" href="${esc(cancel)}" data-cancel>Cancel and return to ${esc(merchant)}</a>` : '';
  const body = `<main class="checkout" aria-labelledby="merchant">
<header class="summary">
  <div>
    <h1 id="merchant">${esc(merchant)}</h1>
    ${s.description ? `<p class="description">${esc(s.description)}</p>` : ''}
    <p class="amount" id="amount">${esc(amount)}</p>
    ${linesList(lines, amount)}
  </div>
  <p class="badge">Test mode</p>
</header>
<p class="status" id="status" role="status" aria-live="polite"></p>
<noscript><p class="notice">Checkout needs JavaScript.</p></noscript>

<section class="screen" id="screen-form" aria-label="Payment details" ${hide('form')}>
  <form id="pay-form" novalidate>
    ${partial ? amountField(partial, s.currency) : ''}
    <div class="tabs" role="tablist" aria-label="Payment method">${tabs}</div>
    ${s.methods.map((m, i) => panel(m, i === 0)).join('')}
    ${field('email', 'Email (optional)', `<input id="email" type="email" autocomplete="email" value="${esc(s.prefill.email ?? '')}" aria-describedby="email-error">`)}
    <p class="form-error" id="form-error" role="alert" hidden></p>
    <button type="submit" class="primary" id="pay">Pay ${esc(payNow)}</button>
    ${back}
    ${s.methods.map((m) => instruments(m, s.methods[0]!, true, cards)).join('')}
  </form>
</section>

<section class="screen" id="screen-processing" aria-labelledby="processing-title" ${hide('processing')}>
  <h2 id="processing-title">Processing your payment…</h2>
  <div class="spinner" aria-hidden="true"></div>
</section>

<section class="screen" id="screen-challenge" aria-labelledby="challenge-title" ${hide('challenge')}>
  <h2 id="challenge-title">3-D Secure authentication</h2>
  <p>Sandpay Test Bank asks you to confirm the payment of <strong id="challenge-amount">${esc(payNow)}</strong> to ${esc(merchant)}.</p>
  <p class="hint">This is the test-mode challenge: choose how it ends.</p>
  <div class="actions">
    <button type="button" class="primary" id="challenge-complete">Complete</button>
    <button type="button" class="secondary" id="challenge-fail">Fail</button>
  </div>
</section>

<section class="screen" id="screen-waiting" aria-labelledby="waiting-title" ${hide('waiting')}>
  <h2 id="waiting-title">Waiting for the payment</h2>
  <div class="spinner" aria-hidden="true"></div>
  <p id="waiting-text">Approve the request in your app. This page updates by itself.</p>
  ${cards === 'stripe'
    // A Stripe integration has no Sandpay simulate call to point at (page.js still fills the span).
    ? '<p class="hint">Test mode: this payment settles by itself.<span id="waiting-payment" hidden></span></p>'
    : '<p class="hint">Test mode: settle it with <code>POST /api/v1/payments/<span id="waiting-payment"></span>/simulate</code>.</p>'}
  <button type="button" class="secondary" id="cancel-payment">Cancel this payment</button>
</section>

<section class="screen" id="screen-failed" aria-labelledby="failed-title" ${hide('failed')}>
  <h2 id="failed-title">Payment failed</h2>
  <p id="failed-message"></p>
  <p class="hint" id="failed-code"></p>
  <div class="actions">
    <button type="button" class="primary" id="retry">Try again</button>
    ${back}
  </div>
</section>

<section class="screen" id="screen-success" aria-labelledby="success-title" ${hide('success')}>
  <h2 id="success-title">Payment successful</h2>
  <p id="success-amount">${esc(amount)} paid to ${esc(merchant)}.</p>
  <p class="hint">Payment <span class="mono" id="success-payment"></span></p>
  <p id="success-next"></p>
</section>

<section class="screen" id="screen-expired" aria-labelledby="expired-title" ${hide('expired')}>
  <h2 id="expired-title">This checkout has expired</h2>
  <p>Nothing was charged. Return to the merchant to start again.</p>
  ${back}
</section>
</main>
<script type="application/json" id="checkout-data">${stateJson}</script>`;
  return pageShell({
    title: `Pay ${merchant} · Sandpay checkout`, body, script: '/checkout/assets/page.js',
    data: { session: s.id, 'poll-ms': String(POLL_MS), ...(opener ? { opener } : {}) },
  });
}

/**
 * The hosted page's headers: a strict CSP (scripts, styles and calls to Sandpay only; no form
 * posts anywhere), framed only by `ancestors`, never cached, no referrer.
 */
export function checkoutPageHeaders(res: Parameters<typeof pageHeaders>[0], ancestors: string): void {
  pageHeaders(res, { ancestors });
}

/** A page for a checkout link that cannot be used (unknown, disabled merchant): never a bare error. */
export function renderProblemPage(title: string, message: string): string {
  return pageShell({ title: `${title} · Sandpay checkout`, body: `<main class="checkout problem" aria-labelledby="problem-title">
<h1 id="problem-title">${esc(title)}</h1>
<p>${esc(message)}</p>
</main>` });
}
