// The card Element's frame, on Sandpay's origin inside the merchant's page: the hosted checkout's
// card fields and rules (card.js). The card number goes from here to Sandpay in one POST (a
// PaymentMethod, made with the publishable key) and never to the page around it: the page gets
// the PaymentMethod, change events and errors, by postMessage to its own origin only.

import { brandOf, cardFieldOf, cardProblems, digits, formatCard, formatExpiry, messageFor, parseExpiry, testCvc, TEST_EXPIRY } from '/checkout/assets/card.js?v=2';

const d = document.body.dataset;
const PARENT = d.origin;
const ELEMENT = d.element;
const $ = (id) => document.getElementById(id);

function post(type, payload) {
  if (PARENT && window.parent !== window) window.parent.postMessage({ source: 'sandpay-stripe', element: ELEMENT, type, ...payload }, PARENT);
}

// The frame's height follows its content (errors, the opened test-card list).
new ResizeObserver(() => post('resize', { height: Math.ceil(document.documentElement.getBoundingClientRect().height) })).observe(document.documentElement);

if (d.problemCode) {
  post('error', { error: { type: 'invalid_request_error', code: d.problemCode, message: d.problemMessage } });
} else {
  wire();
}

function wire() {
  const KEY = d.key;
  const TYPE = d.type;
  const FIELDS = ['card-number', 'card-expiry', 'card-cvc'];
  const values = () => [$('card-number').value, $('card-expiry').value, $('card-cvc').value];

  function setError(id, text) {
    const el = $(`${id}-error`);
    el.textContent = text || '';
    el.hidden = !text;
    if (text) $(id).setAttribute('aria-invalid', 'true');
    else $(id).removeAttribute('aria-invalid');
  }
  function setFormError(text) {
    $('form-error').textContent = text || '';
    $('form-error').hidden = !text;
  }

  // What Stripe.js's change event carries: empty, complete, the brand, and the error shown, if any.
  function change() {
    const problems = cardProblems(...values());
    const shown = FIELDS.map((id) => !$(`${id}-error`).hidden && problems[id]).find(Boolean);
    const number = digits($('card-number').value);
    post('change', {
      elementType: TYPE, empty: values().every((v) => !v.trim()), complete: Object.keys(problems).length === 0,
      brand: brandOf(number) || 'unknown', error: shown ? { type: 'validation_error', code: shown.code, message: shown.message } : undefined,
    });
  }

  $('card-number').addEventListener('input', (e) => {
    e.target.value = formatCard(e.target.value);
  });
  $('card-expiry').addEventListener('input', (e) => {
    e.target.value = formatExpiry(e.target.value);
  });
  for (const id of FIELDS) {
    $(id).addEventListener('input', () => {
      // A field being fixed loses its error at once; a new one shows when the payer leaves it.
      if (!$(`${id}-error`).hidden && !cardProblems(...values())[id]) setError(id, '');
      setFormError('');
      change();
    });
    $(id).addEventListener('blur', () => {
      const problem = $(id).value.trim() ? cardProblems(...values())[id] : undefined;
      setError(id, problem ? problem.message : '');
      change();
    });
    $(id).addEventListener('focus', () => post('focus', { elementType: TYPE }));
  }

  for (const b of document.querySelectorAll('.instrument')) {
    b.addEventListener('click', () => {
      $('card-number').value = formatCard(b.dataset.fillCard);
      $('card-expiry').value = TEST_EXPIRY;
      $('card-cvc').value = testCvc(b.dataset.fillCard);
      for (const id of FIELDS) setError(id, '');
      setFormError('');
      change();
      $('card-number').focus();
    });
  }
  // The Element has no button of its own: paying is the merchant's page's button.
  $('card-form').addEventListener('submit', (e) => e.preventDefault());

  /** Every field's problem shown; the first as Stripe.js's validation_error. */
  function validate() {
    const problems = cardProblems(...values());
    for (const id of FIELDS) setError(id, problems[id] ? problems[id].message : '');
    const first = FIELDS.find((id) => problems[id]);
    if (!first) return null;
    $(first).focus();
    change();
    return { type: 'validation_error', code: problems[first].code, message: problems[first].message, param: first.replace('card-', '') };
  }

  /** Stripe's form encoding (a[b]=c) of a small object. */
  function encode(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || v === null) continue;
      const name = prefix ? `${prefix}[${k}]` : k;
      if (typeof v === 'object') encode(v, name, out);
      else out.append(name, String(v));
    }
    return out;
  }

  // Which field an API error belongs to (Stripe's param names).
  async function createPaymentMethod(billing) {
    const invalid = validate();
    if (invalid) return { error: invalid };
    const exp = parseExpiry($('card-expiry').value);
    const card = { number: digits($('card-number').value), exp_month: exp.month, exp_year: exp.year, cvc: $('card-cvc').value.trim() };
    let res;
    try {
      res = await fetch('/v1/payment_methods', {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: encode({ type: 'card', card, billing_details: billing || undefined }, '', new URLSearchParams()),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      setFormError(messageFor('network'));
      return { error: { type: 'api_connection_error', message: messageFor('network') } };
    }
    const json = await res.json().catch(() => ({}));
    if (res.ok) {
      $('card-cvc').value = '';
      return { paymentMethod: json };
    }
    const error = json.error || { type: 'api_error', message: `Sandpay answered ${res.status}` };
    const field = cardFieldOf(error.param);
    if (field) {
      setError(field, messageFor(error.code, error.message));
      $(field).focus();
    } else setFormError(messageFor(error.code, error.message));
    return { error };
  }

  window.addEventListener('message', async (e) => {
    if (e.origin !== PARENT || e.source !== window.parent) return;
    const msg = e.data;
    if (!msg || msg.source !== 'sandpay-stripe' || msg.element !== ELEMENT) return;
    if (msg.type === 'create_payment_method') post('result', { request: msg.request, ...(await createPaymentMethod(msg.billing_details)) });
    else if (msg.type === 'validate') post('result', { request: msg.request, error: validate() || undefined });
    else if (msg.type === 'focus') $('card-number').focus();
    else if (msg.type === 'clear') {
      for (const id of FIELDS) {
        $(id).value = '';
        setError(id, '');
      }
      setFormError('');
      change();
    }
  });

  post('ready', { elementType: TYPE });
}
