// The card form's rules, shared by the hosted checkout page (page.js) and the Stripe face's card
// Element (src/faces/stripe/public/element.js): formatting, validation and the words for every
// code, so a payer reads the same sentences wherever Sandpay takes a card.

// Every code a payment or this page can end with, in words a payer understands.
export const MESSAGES = {
  card_declined: 'Your card was declined. Try another card or payment method.',
  insufficient_funds: 'Your card has insufficient funds. Try another card.',
  expired_card: 'Your card has expired. Try another card.',
  incorrect_cvc: "The CVC doesn't match this card. Check it and try again.",
  processing_error: 'The card could not be processed. Try again in a moment.',
  lost_card: 'Your card was declined. Try another card or payment method.',
  stolen_card: 'Your card was declined. Try another card or payment method.',
  payment_declined: 'The payment was declined. Try another payment method.',
  payment_cancelled: 'The payment was cancelled. Nothing was charged.',
  fraud_blocked: 'This payment was blocked by a risk check. Try another payment method.',
  flagged: 'This payment was held for a risk review. Try another payment method.',
  upi_declined: 'The UPI request was declined in the app. Try again or use another method.',
  bank_declined: 'Your bank declined the payment. Try another bank or method.',
  authentication_failed: '3-D Secure authentication failed. Nothing was charged; try again.',
  payment_expired: 'The payment was not completed in time. Nothing was charged; try again.',
  invalid_card_number: 'This card number is not valid. Check the digits.',
  unknown_test_card: 'Sandpay accepts only its test cards. Pick one from the list below.',
  invalid_cvc: 'Enter the CVC printed on the card.',
  invalid_expiry_year: 'This card has expired. Check the expiry date.',
  order_already_paid: 'This order has already been paid.',
  checkout_complete: 'This checkout is already complete with another payment.',
  payment_in_progress: 'A payment for this order is already in progress.',
  session_expired: 'This checkout has expired.',
  payment_method_unavailable: 'This payment method is not available here.',
  rate_limit_exceeded: 'Too many attempts. Wait a minute and try again.',
  idempotency_key_in_use: 'Your payment is still being processed. Wait a moment.',
  service_unavailable: 'Sandpay is busy right now. Try again in a moment.',
  network: 'Could not reach Sandpay. Check your connection and try again.',
};
export const messageFor = (code, fallback) => MESSAGES[code] || fallback || `The payment could not be completed (${code}).`;

export const digits = (s) => s.replace(/\D/g, '');

export function brandOf(number) {
  if (/^3[47]/.test(number)) return 'amex';
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^(60|65|81|82|508)/.test(number)) return 'rupay';
  return null;
}

function luhn(number) {
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double && (d *= 2) > 9) d -= 9;
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function formatCard(value) {
  const n = digits(value).slice(0, 19);
  return brandOf(n) === 'amex' ? [n.slice(0, 4), n.slice(4, 10), n.slice(10)].filter(Boolean).join(' ') : n.replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** What the expiry field shows as digits are typed: MM/YY. */
export function formatExpiry(value) {
  const d = digits(value).slice(0, 4);
  return d.length > 2 ? `${d.slice(0, 2)}/${d.slice(2)}` : d;
}

export function parseExpiry(value) {
  const m = /^\s*(\d{1,2})\s*\/?\s*(\d{2})\s*$/.exec(value);
  if (!m) return null;
  const month = Number(m[1]);
  return month >= 1 && month <= 12 ? { month, year: 2000 + Number(m[2]) } : null;
}

/** What a test card from the list fills in: an expiry three years ahead, and a CVC of the right length. */
export const TEST_EXPIRY = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;
export const testCvc = (number) => (brandOf(digits(number)) === 'amex' ? '1234' : '123');

/**
 * Field id → { code, message } for everything wrong with a card's three fields. The codes are
 * Stripe.js's validation_error codes (the Element reports them); page.js shows the messages.
 */
export function cardProblems(numberText, expiryText, cvcText) {
  const problems = {};
  const number = digits(numberText);
  const brand = brandOf(number);
  if (!number) problems['card-number'] = { code: 'incomplete_number', message: 'Enter your card number.' };
  else if (number.length < 12 || number.length > 19 || !luhn(number)) problems['card-number'] = { code: 'invalid_number', message: 'This card number is not valid. Check the digits.' };
  const exp = parseExpiry(expiryText);
  const now = new Date();
  if (!expiryText.trim()) problems['card-expiry'] = { code: 'incomplete_expiry', message: 'Enter the expiry date as MM/YY.' };
  else if (!exp) problems['card-expiry'] = { code: 'invalid_expiry_month', message: 'Enter the expiry date as MM/YY, for example 12/30.' };
  else if (exp.year < now.getFullYear() || (exp.year === now.getFullYear() && exp.month < now.getMonth() + 1)) problems['card-expiry'] = { code: 'invalid_expiry_year_past', message: 'This card has expired.' };
  const cvcLength = brand === 'amex' ? 4 : 3;
  const cvc = cvcText.trim();
  if (!cvc) problems['card-cvc'] = { code: 'incomplete_cvc', message: `Enter the ${cvcLength}-digit CVC.` };
  else if (!new RegExp(`^\\d{${cvcLength}}$`).test(cvc)) problems['card-cvc'] = { code: 'invalid_cvc', message: `The CVC has ${cvcLength} digits${brand === 'amex' ? ' on Amex cards' : ''}.` };
  return problems;
}

/** Field id → message, for a form that shows words only. */
export function cardErrors(numberText, expiryText, cvcText) {
  return Object.fromEntries(Object.entries(cardProblems(numberText, expiryText, cvcText)).map(([field, p]) => [field, p.message]));
}

/** The card field an API error's `param` names, in either notation (`card.number`, Stripe's `card[number]`). */
export const CARD_PARAM_FIELD = { 'card.number': 'card-number', 'card.cvc': 'card-cvc', 'card.exp_year': 'card-expiry', 'card.exp_month': 'card-expiry' };
export const cardFieldOf = (param) => CARD_PARAM_FIELD[String(param || '').replace(/\[([^\]]+)\]/g, '.$1')];
