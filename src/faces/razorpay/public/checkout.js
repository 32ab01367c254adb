/*! Razorpay mode */
(function (window, Sandpay) {
  'use strict';
  Sandpay.modes.push({
    key: /^rzp_test_/,
    keyName: 'a Razorpay key_id',
    // Razorpay pages may send empty or extra prefill fields.
    // customer_id + save: 1 saves the card paid with.
    sessionFields: function (o) { return o.customer_id && [1, true, '1'].indexOf(o.save) > -1 ? { save_card: { customer_id: String(o.customer_id) } } : {}; },
    prefill: function (p) { var o = {}; ['name', 'email', 'contact'].forEach(function (k) { if (p[k]) o[k] = String(p[k]); }); return o; },
    // Razorpay's payment.failed argument (the hosted page sends razorpay_error).
    failure: function (e, p, orderId) {
      var r = p.razorpay_error || {};
      return { error: { code: r.code || 'BAD_REQUEST_ERROR', description: r.description || e.description, source: r.source || 'NA',
        step: r.step || 'NA', reason: r.reason || e.code, metadata: { order_id: orderId, payment_id: e.payment_id } } };
    },
    result: function (r) { return { razorpay_payment_id: r.payment_id, razorpay_order_id: r.order_id, razorpay_signature: r.signature }; },
  });
  // Razorpay's name too: a page written for Razorpay only swaps the script URL.
  if (!window.Razorpay) window.Razorpay = Sandpay;
})(window, window.Sandpay);
