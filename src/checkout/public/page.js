// The hosted checkout page's behaviour: method tabs, test instruments, inline validation, the
// pay call, the 3-D Secure challenge, the waiting screen, and the result for the opener.
// Card details live only in the form fields and the body of one POST: never in a URL, the
// browser's storage or a message to another window.

import { CARD_PARAM_FIELD, cardErrors, digits, formatCard, formatExpiry, messageFor, parseExpiry, testCvc, TEST_EXPIRY } from './card.js?v=2';

const body = document.body;
const SESSION = body.dataset.session;
const OPENER = body.dataset.opener || null;
const POLL_MS = Number(body.dataset.pollMs) || 700;
const FRAMED = window.parent !== window;
const data = JSON.parse(document.getElementById('checkout-data').textContent);
const $ = (id) => document.getElementById(id);

// checkout.js's theme.color (Razorpay's option name) arrives in the fragment: a colour only.
const THEME = /^#theme=(%23|#)([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(window.location.hash);
if (THEME) document.documentElement.style.setProperty('--brand', `#${THEME[2]}`);

// ----- talking to the page that opened us (checkout.js) -----

function post(type, payload) {
  // Only ever to the origin that opened the session, never '*'.
  if (FRAMED && OPENER) window.parent.postMessage({ source: 'sandpay-checkout', type, ...payload }, OPENER);
}

window.addEventListener('message', (e) => {
  if (!OPENER || e.origin !== OPENER || e.source !== window.parent) return;
  const msg = e.data;
  if (!msg || msg.source !== 'sandpay-sdk') return;
  if (msg.type === 'focus') focusScreen(msg.where === 'last');
});

// ----- screens -----

let screen = null;
function show(name) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${name}`;
  const changed = screen !== name;
  screen = name;
  if (changed && name !== 'form') focusScreen(false);
  if (name === 'waiting' || name === 'challenge') startPolling();
  else stopPolling();
}

function focusables() {
  const el = document.querySelector('.screen:not([hidden])');
  if (!el) return [];
  return [...el.querySelectorAll('button, input, select, a[href], [tabindex="0"]')].filter((x) => !x.closest('[hidden]') && !x.disabled);
}

function focusScreen(last) {
  const all = focusables();
  const first = screen === 'form' ? document.querySelector('.panel:not([hidden]) input, .panel:not([hidden]) select') : null;
  const heading = document.querySelector('.screen:not([hidden]) h2');
  const target = last ? all[all.length - 1] : first || all[0];
  if (!last && heading && screen !== 'form') {
    heading.tabIndex = -1;
    heading.focus();
  } else if (target) target.focus();
}

function setStatus(text) {
  $('status').textContent = text;
}

// ----- state from the server -----

const reported = new Set();
let state = data.state;

function render(next) {
  state = next;
  const p = next.payment;
  if (next.status === 'complete' && next.result) return succeed(next.result);
  if (next.status === 'expired') {
    setStatus('This checkout has expired.');
    return show('expired');
  }
  if (p && p.status === 'pending') {
    if (p.next_action === 'three_ds_challenge') return show('challenge');
    $('waiting-payment').textContent = p.id;
    $('waiting-text').textContent = p.method === 'upi'
      ? 'Approve the collect request in your UPI app. This page updates by itself.'
      : 'Your bank is confirming the payment. This page updates by itself.';
    return show('waiting');
  }
  if (p && p.status !== 'success') return fail(p);
  show('form');
}

function fail(p) {
  const code = p.failure_code || (p.status === 'flagged' ? 'flagged' : p.status === 'expired' ? 'payment_expired' : 'payment_declined');
  const text = messageFor(code, p.failure_message);
  $('failed-message').textContent = text;
  $('failed-code').textContent = `Code: ${code} · Payment ${p.id}`;
  setStatus(`Payment failed. ${text}`);
  if (!reported.has(p.id)) {
    reported.add(p.id);
    // The payment goes along for checkout.js in a gateway face's mode: a session opened with that
    // face's key has its error fields (src/checkout/faces.ts), which the mode turns into its error.
    post('payment.failed', { error: { code, description: text, payment_id: p.id }, payment: p });
  }
  show('failed');
}

let redirected = false;
function succeed(result) {
  $('success-payment').textContent = result.payment_id;
  const paid = chosenAmount();
  if (paid !== null) $('success-amount').textContent = `${money(paid)} paid to ${$('merchant').textContent}.`;
  setStatus('Payment successful.');
  show('success');
  if (FRAMED) {
    $('success-next').textContent = OPENER ? 'Returning to the merchant…' : '';
    post('payment.success', { result });
    return;
  }
  if (data.success_url && !redirected) {
    redirected = true;
    $('success-next').textContent = 'Returning to the merchant…';
    const u = new URL(data.success_url);
    // A gateway face's session (Stripe's Checkout) goes back exactly where the merchant said.
    if (!data.exact_redirects) {
      u.searchParams.set('payment_id', result.payment_id);
      u.searchParams.set('order_id', result.order_id);
      u.searchParams.set('signature', result.signature);
    }
    setTimeout(() => window.location.assign(u.toString()), 1200);
  }
}

// ----- calls -----

async function call(method, path, payload, key) {
  const headers = { Accept: 'application/json' };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  let res;
  try {
    res = await fetch(`/checkout/${SESSION}${path}`, { method, headers, body: payload === undefined ? undefined : JSON.stringify(payload), cache: 'no-store' });
  } catch {
    return { ok: false, error: { code: 'network' } };
  }
  const json = await res.json().catch(() => ({}));
  return res.ok ? { ok: true, body: json } : { ok: false, error: json.error || { code: 'service_unavailable' } };
}

let timer = null;
function startPolling() {
  if (timer) return;
  timer = setInterval(async () => {
    const r = await call('GET', '/status');
    if (r.ok && JSON.stringify(r.body) !== JSON.stringify(state)) render(r.body);
  }, POLL_MS);
}
function stopPolling() {
  clearInterval(timer);
  timer = null;
}

const refresh = async () => {
  const r = await call('GET', '/status');
  if (r.ok) render(r.body);
};

// ----- the form -----

const tabs = [...document.querySelectorAll('[role="tab"]')];
let method = tabs[0] ? tabs[0].id.replace('tab-', '') : 'card';

function selectTab(tab, focus) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
  for (const list of document.querySelectorAll('.instruments')) list.hidden = list.dataset.method !== tab.id.replace('tab-', '');
  method = tab.id.replace('tab-', '');
  clearErrors();
  if (focus) tab.focus();
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab, true));
  tab.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(tab);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length], true);
  });
}

function setError(id, text) {
  const input = $(id);
  const el = $(`${id}-error`);
  el.textContent = text || '';
  el.hidden = !text;
  if (text) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function clearErrors() {
  for (const el of document.querySelectorAll('.field-error')) {
    el.hidden = true;
    el.textContent = '';
  }
  for (const el of document.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  $('form-error').hidden = true;
}

// ----- the amount, for an order that takes partial payments -----

// Present only then (page.ts amountField): min..due in minor units, typed in major units.
const AMOUNT = $('pay-amount');
const money = (minor) => {
  const currency = AMOUNT.dataset.currency;
  const fmt = new Intl.NumberFormat(currency === 'INR' ? 'en-IN' : 'en-US', { style: 'currency', currency });
  return fmt.format(minor / 10 ** Number(AMOUNT.dataset.digits));
};

/** The typed amount in minor units; null without the field, NaN when it is not a number with the currency's decimals. */
function chosenAmount() {
  if (!AMOUNT) return null;
  const d = Number(AMOUNT.dataset.digits);
  const text = AMOUNT.value.trim().replace(/,/g, '');
  const m = new RegExp(d > 0 ? `^(\\d{1,13})(?:\\.(\\d{1,${d}}))?$` : '^(\\d{1,15})$').exec(text);
  if (!m) return NaN;
  return Number(m[1]) * 10 ** d + Number((m[2] || '').padEnd(d, '0') || 0);
}

function amountError() {
  const n = chosenAmount();
  if (n === null) return null;
  const min = Number(AMOUNT.dataset.min);
  const due = Number(AMOUNT.dataset.due);
  if (Number.isNaN(n)) return `Enter an amount such as ${money(due).replace(/[^\d.,]/g, '')}.`;
  if (n < min) return `Pay at least ${money(min)}.`;
  if (n > due) return `You can pay at most ${money(due)}, what is still due.`;
  return null;
}

AMOUNT && AMOUNT.addEventListener('input', () => {
  const n = chosenAmount();
  if (!amountError()) {
    $('pay').textContent = `Pay ${money(n)}`;
    $('challenge-amount').textContent = money(n);
  }
});

/** Field id → message for everything wrong with the current method's fields. */
function validate() {
  const errors = {};
  const amount = amountError();
  if (amount) errors['pay-amount'] = amount;
  if (method === 'card') Object.assign(errors, cardErrors($('card-number').value, $('card-expiry').value, $('card-cvc').value));
  if (method === 'upi') {
    const vpa = $('upi-vpa').value.trim();
    if (!vpa) errors['upi-vpa'] = 'Enter your UPI ID, such as name@bank.';
    else if (!/^[a-zA-Z0-9._-]{2,200}@[a-zA-Z][a-zA-Z0-9]{1,50}$/.test(vpa)) errors['upi-vpa'] = 'A UPI ID looks like name@bank.';
  }
  const email = $('email').value.trim();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.email = 'Enter a valid email address, or leave it empty.';
  return errors;
}

function showErrors(errors) {
  clearErrors();
  for (const [id, text] of Object.entries(errors)) setError(id, text);
  const first = Object.keys(errors)[0];
  if (first) $(first).focus();
}

function payload() {
  return { ...methodPayload(), ...(AMOUNT ? { amount: chosenAmount() } : {}) };
}

function methodPayload() {
  const email = $('email').value.trim() || undefined;
  switch (method) {
    case 'card': {
      const exp = parseExpiry($('card-expiry').value);
      return { method, email, card: { number: digits($('card-number').value), exp_month: exp.month, exp_year: exp.year, cvc: $('card-cvc').value.trim() } };
    }
    case 'upi':
      return { method, email, vpa: $('upi-vpa').value.trim() };
    case 'netbanking':
      return { method, email, bank: $('bank').value };
    default:
      return { method, email, wallet: $('wallet').value };
  }
}

// Which field an API validation error belongs to.
const PARAM_FIELD = { ...CARD_PARAM_FIELD, vpa: 'upi-vpa', email: 'email', amount: 'pay-amount' };

// One key per attempt: a double click or a retried request after a network error replays the
// same answer instead of paying twice; a new attempt after an answer gets a new key.
const newKey = () => `chk_${crypto.getRandomValues(new Uint32Array(4)).join('')}`;
let attemptKey = newKey();
let busy = false;

async function submit() {
  if (busy) return;
  const errors = validate();
  if (Object.keys(errors).length) return showErrors(errors);
  busy = true;
  $('pay').disabled = true;
  show('processing');
  setStatus('Processing your payment…');
  const r = await call('POST', '/pay', payload(), attemptKey);
  busy = false;
  $('pay').disabled = false;
  if (r.ok) {
    attemptKey = newKey();
    $('card-cvc') && ($('card-cvc').value = '');
    return render(r.body);
  }
  const code = r.error.code;
  if (code !== 'network' && code !== 'idempotency_key_in_use') attemptKey = newKey();
  if (['order_already_paid', 'payment_in_progress', 'session_expired'].includes(code)) {
    await refresh();
    if (screen === 'waiting' || screen === 'success' || screen === 'expired' || screen === 'challenge') return;
  }
  show('form');
  const field = PARAM_FIELD[r.error.param];
  if (field && $(field) && !$(field).closest('[hidden]')) return showErrors({ [field]: messageFor(code, r.error.message) });
  $('form-error').textContent = messageFor(code, r.error.message);
  $('form-error').hidden = false;
  setStatus('');
}

$('pay-form').addEventListener('submit', (e) => {
  e.preventDefault();
  submit();
});

$('card-number') && $('card-number').addEventListener('input', (e) => {
  e.target.value = formatCard(e.target.value);
});
$('card-expiry') && $('card-expiry').addEventListener('input', (e) => {
  e.target.value = formatExpiry(e.target.value);
});

// Test instruments fill the form on click.
for (const b of document.querySelectorAll('.instrument')) {
  b.addEventListener('click', () => {
    clearErrors();
    const d = b.dataset;
    if (d.fillCard) {
      $('card-number').value = formatCard(d.fillCard);
      $('card-expiry').value = TEST_EXPIRY;
      $('card-cvc').value = testCvc(d.fillCard);
    }
    if (d.fillVpa) $('upi-vpa').value = d.fillVpa;
    if (d.fillBank) $('bank').value = d.fillBank;
    if (d.fillWallet) $('wallet').value = d.fillWallet;
    $('pay').focus();
  });
}

// ----- the other screens' buttons -----

$('retry').addEventListener('click', () => {
  clearErrors();
  show('form');
  focusScreen(false);
});

async function act(path, payload) {
  const r = await call('POST', path, payload, newKey());
  if (r.ok) return render(r.body);
  await refresh();
}
$('challenge-complete').addEventListener('click', () => act('/authenticate', { outcome: 'complete' }));
$('challenge-fail').addEventListener('click', () => act('/authenticate', { outcome: 'fail' }));
$('cancel-payment').addEventListener('click', () => act('/cancel-payment'));

// ----- framed by checkout.js -----

if (FRAMED) {
  // checkout.js draws the close button; Esc inside the frame reaches only this document.
  document.documentElement.classList.add('framed');
  for (const a of document.querySelectorAll('[data-cancel]')) a.hidden = true;
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') post('dismiss', {});
  });
}

render(state);
post('ready', {});
