import { esc, formatAmount } from '../../checkout/page.ts';
import { pageShell } from '../../checkout/page-shell.ts';
import type { Challenge } from './challenge.ts';

/**
 * The challenge page's HTML: no script at all (a plain form with two submit buttons works with
 * the keyboard, with JavaScript off, and under `script-src 'none'`), styled by the hosted
 * checkout's own stylesheet, served by Sandpay.
 */

// Without the no-referrer meta: the answer's POST must carry the page's Origin (routes/challenge.ts checks it).
const shell = (title: string, body: string) =>
  pageShell({ title: `${title} · Sandpay`, noReferrer: false, body: `<main class="checkout" aria-labelledby="title">\n${body}\n</main>` });

const summary = (c: Challenge) => {
  const amount = formatAmount(Number(c.parts.order.amount), c.parts.order.currency);
  return `<header class="summary">
  <div>
    <p id="merchant">${esc(c.tenant.name)}</p>
    <p class="amount" id="amount">${esc(amount)}</p>
  </div>
  <p class="badge">Test mode</p>
</header>`;
};

/** The challenge itself: who asks for what, with which card, and the two ways it can end. */
export function renderChallengePage(c: Challenge, action: string, secret: string, overlay: string | null = null): string {
  const p = c.parts.payments.at(-1)!;
  const card = p.card_brand && p.card_last4 ? `${p.card_brand} card ending in ${p.card_last4}` : 'your card';
  const amount = formatAmount(Number(c.parts.order.amount), c.parts.order.currency);
  return shell('3-D Secure authentication', `${summary(c)}
<section class="screen" aria-labelledby="title">
  <h1 id="title">3-D Secure authentication</h1>
  <p>Sandpay Test Bank asks you to confirm the payment of <strong>${esc(amount)}</strong> to ${esc(c.tenant.name)} with your <span id="card">${esc(card)}</span>.</p>
  <p class="hint">This is the test-mode challenge: choose how it ends.</p>
  <form method="post" action="${esc(action)}">
    <input type="hidden" name="client_secret" value="${esc(secret)}">${overlay ? `
    <input type="hidden" name="overlay" value="${esc(overlay)}">` : ''}
    <div class="actions">
      <button type="submit" class="primary" name="outcome" value="complete">Complete authentication</button>
      <button type="submit" class="secondary" name="outcome" value="fail">Fail authentication</button>
    </div>
  </form>
</section>`);
}

/** Done, with no return_url to go back to: the result, in words. */
export function renderDonePage(c: Challenge): string {
  const ok = c.status === 'succeeded' || c.status === 'requires_capture';
  const title = ok ? 'Authentication complete' : 'Authentication failed';
  const text = ok ? 'The payment was authenticated. You can close this page and return to the store.' : 'The payment was not authenticated and was not made. Return to the store to try again.';
  return shell(title, `${summary(c)}
<section class="screen" aria-labelledby="title">
  <h1 id="title">${esc(title)}</h1>
  <p role="status">${esc(text)}</p>
</section>`);
}

/** Any page that cannot go on, with what to do next (and the way back when there is one). */
export function renderChallengeProblem(title: string, text: string, back: string | null = null): string {
  return shell(title, `<section class="screen problem" aria-labelledby="title">
  <h1 id="title">${esc(title)}</h1>
  <p role="alert">${esc(text)}</p>
  ${back ? `<p><a class="link" href="${esc(back)}">Return to the store</a></p>` : ''}
</section>`);
}
