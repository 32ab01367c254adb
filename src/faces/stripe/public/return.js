// The page a 3-D Secure challenge in Stripe.js's overlay returns to: it tells the merchant's page
// (the one origin its URL names, never '*') which intent it was and how it ended. Stripe.js then
// reads the intent itself with its client secret; nothing secret goes in this message.
const d = document.body.dataset;
if (d.origin && window.parent !== window) {
  window.parent.postMessage({ source: 'sandpay-stripe', type: 'challenge.done', payment_intent: d.paymentIntent, redirect_status: d.redirectStatus }, d.origin);
}
