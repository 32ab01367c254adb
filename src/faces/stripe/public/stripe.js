/*! Sandpay's Stripe.js stand-in (v3) | MIT | no dependencies, ES2017 */
// Load it from <sandpay>/v3/ instead of https://js.stripe.com/v3/: `Stripe(pk_test_…)` then works
// against Sandpay. Card numbers live only in the card Element's frame (Sandpay's origin), which
// makes the PaymentMethod itself; this script confirms with the PaymentMethod's id and the
// intent's client secret, as Stripe.js does, and shows 3-D Secure in an overlay of Sandpay's page.
(function (window, document) {
  'use strict';

  var script = document.currentScript;
  var ORIGIN = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;
  var SOURCE = 'sandpay-stripe';
  var seq = 0;

  function css(el, styles) {
    // Through the CSSOM: allowed even where the page's CSP forbids inline styles.
    Object.keys(styles).forEach(function (k) { el.style.setProperty(k, styles[k]); });
    return el;
  }

  function invalid(message, extra) {
    return { error: Object.assign({ type: 'invalid_request_error', message: message }, extra || {}) };
  }

  /** `pi_…_secret_…` → `pi_…`. */
  function intentOf(clientSecret) {
    var at = typeof clientSecret === 'string' ? clientSecret.indexOf('_secret_') : -1;
    return at > 0 ? clientSecret.slice(0, at) : null;
  }

  var never = function () { return new Promise(function () {}); };

  /** How long a loaded Element frame has to say it is ready, and how long any frame has to load at all. */
  var LOAD_GRACE_MS = 5000;
  var LOAD_LIMIT_MS = 30000;

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) return new Stripe(key, options);
    if (typeof key !== 'string' || !/^pk_test_/.test(key)) {
      throw new Error('Stripe(): pass your publishable key (pk_test_…); Sandpay runs in test mode only, and a secret key never belongs in a page');
    }
    this._key = key;
    this._options = options || {};
  }

  Stripe.version = 3;

  /** One call to Sandpay's Stripe API with the publishable key: { body } or { error } in Stripe.js's shape. */
  Stripe.prototype._api = async function (method, path, params) {
    var body = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) { if (params[k] !== undefined && params[k] !== null) body.append(k, String(params[k])); });
    var url = ORIGIN + '/v1' + path + (method === 'GET' ? '?' + body : '');
    var init = { method: method, headers: { Authorization: 'Bearer ' + this._key }, credentials: 'omit', cache: 'no-store' };
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = body;
    }
    var res;
    try {
      res = await fetch(url, init);
    } catch (e) {
      return { error: { type: 'api_connection_error', message: 'Could not reach Sandpay. Check your connection and try again.' } };
    }
    var json = await res.json().catch(function () { return null; });
    if (!res.ok) return { error: (json && json.error) || { type: 'api_error', message: 'Sandpay answered HTTP ' + res.status } };
    return { body: json };
  };

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options);
  };

  Stripe.prototype.retrievePaymentIntent = async function (clientSecret) {
    var id = intentOf(clientSecret);
    if (!id) return invalid('retrievePaymentIntent: pass the PaymentIntent\'s client_secret (pi_…_secret_…)');
    var r = await this._api('GET', '/payment_intents/' + encodeURIComponent(id), { client_secret: clientSecret });
    return r.error ? { error: r.error } : { paymentIntent: r.body };
  };

  /** A card PaymentMethod from a card Element ({ type: 'card', card, billing_details }) or a group's ({ elements, params }). */
  Stripe.prototype.createPaymentMethod = async function (data) {
    data = data || {};
    var element = data.elements ? data.elements._paying() : data.card;
    var billing = data.elements ? data.params && data.params.billing_details : data.billing_details;
    if (!(element instanceof Element) || (!data.elements && data.type !== 'card')) {
      return invalid('createPaymentMethod: pass { type: \'card\', card: cardElement } or { elements }');
    }
    var made = await element._request('create_payment_method', { billing_details: billing });
    return made.error ? { error: made.error } : { paymentMethod: made.paymentMethod };
  };

  /** The PaymentMethod to confirm with: a pm_ id as given, or one the Element's frame makes from its card. */
  async function paymentMethodOf(pm, element, billing) {
    if (typeof pm === 'string') return { id: pm };
    if (pm && typeof pm === 'object' && pm.card instanceof Element) { element = pm.card; billing = pm.billing_details; } else if (pm) {
      return invalid('payment_method must be a card Element ({ card: cardElement }) or a PaymentMethod id (pm_…)', { param: 'payment_method' });
    }
    if (!element) return { id: undefined };
    var made = await element._request('create_payment_method', { billing_details: billing });
    return made.error ? { error: made.error } : { id: made.paymentMethod.id };
  }

  /**
   * Confirms, then finishes what the answer asks: 3-D Secure in the overlay ('overlay'), or on its
   * page with the intent's return_url ('redirect'), or not at all ('none').
   */
  Stripe.prototype._confirm = async function (clientSecret, pm, params, action) {
    var id = intentOf(clientSecret);
    if (!id) return invalid('Pass the PaymentIntent\'s client_secret (pi_…_secret_…)', { param: 'client_secret' });
    if (pm.error) return { error: pm.error };
    if (pm.id === undefined && action === 'overlay') {
      // Nothing new to pay with: an intent the server confirmed already may only need its 3-D Secure step.
      var now = await this.retrievePaymentIntent(clientSecret);
      if (now.error) return now;
      if (now.paymentIntent.status === 'requires_action') return this._nextAction(clientSecret, now.paymentIntent);
    }
    var r = await this._api('POST', '/payment_intents/' + encodeURIComponent(id) + '/confirm', Object.assign({ client_secret: clientSecret, payment_method: pm.id }, params));
    if (r.error) return { error: r.error };
    var pi = r.body;
    var next = pi.next_action && pi.next_action.redirect_to_url;
    if (pi.status !== 'requires_action' || action === 'none' || !next) return { paymentIntent: pi };
    if (action === 'redirect') {
      window.location.assign(next.url);
      return never();
    }
    return this._nextAction(clientSecret, pi);
  };

  /**
   * The 3-D Secure step of an intent in requires_action: in the overlay, whichever way it was
   * confirmed (with the overlay's return page, or on the server with no return_url: then the
   * challenge page is told this page's origin, which the store must allow, to come back to it).
   */
  Stripe.prototype._nextAction = async function (clientSecret, pi) {
    var na = pi.next_action || {};
    var url = na.redirect_to_url ? na.redirect_to_url.url : na.use_stripe_sdk && na.use_stripe_sdk.stripe_js;
    if (pi.status !== 'requires_action' || !url) return { paymentIntent: pi };
    if (na.redirect_to_url && na.redirect_to_url.return_url && na.redirect_to_url.return_url.indexOf(ORIGIN + '/stripe/elements/return?') !== 0) {
      // Confirmed with the merchant's own return_url: the challenge takes the whole page, as on Stripe.
      window.location.assign(url);
      return never();
    }
    if (!na.redirect_to_url) url += '&overlay=' + encodeURIComponent(window.location.origin);
    await challenge(url);
    var after = await this.retrievePaymentIntent(clientSecret);
    return after.error ? after : outcome(after.paymentIntent);
  };

  /** Stripe.js's handleNextAction({ clientSecret }) and handleCardAction(clientSecret): finish a requires_action intent. */
  Stripe.prototype.handleNextAction = async function (options) {
    var clientSecret = options && options.clientSecret;
    var got = await this.retrievePaymentIntent(clientSecret);
    if (got.error) return got;
    if (got.paymentIntent.status !== 'requires_action') {
      return invalid('handleNextAction: the PaymentIntent is ' + got.paymentIntent.status + ', not requires_action', { code: 'payment_intent_unexpected_state', payment_intent: got.paymentIntent });
    }
    return this._nextAction(clientSecret, got.paymentIntent);
  };

  Stripe.prototype.handleCardAction = function (clientSecret) {
    return this.handleNextAction({ clientSecret: clientSecret });
  };

  /** After 3-D Secure: the intent, or Stripe.js's error when it did not go through (with the intent). */
  function outcome(pi) {
    if (pi.status === 'requires_payment_method' && pi.last_payment_error) {
      return { error: Object.assign({}, pi.last_payment_error, { payment_intent: pi }) };
    }
    if (pi.status === 'requires_action') {
      return invalid('The payment was not authenticated: 3-D Secure was closed before it finished.', { code: 'payment_intent_authentication_failure', payment_intent: pi });
    }
    return { paymentIntent: pi };
  }

  /** Where Sandpay's challenge page returns inside the overlay: a page that tells this window, and only it. */
  var overlayReturn = function () { return ORIGIN + '/stripe/elements/return?origin=' + encodeURIComponent(window.location.origin); };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data, options) {
    data = data || {};
    var handle = !options || options.handleActions !== false;
    var self = this;
    return paymentMethodOf(data.payment_method).then(function (pm) {
      var params = { return_url: handle ? overlayReturn() : data.return_url, receipt_email: data.receipt_email, setup_future_usage: data.setup_future_usage };
      return self._confirm(clientSecret, pm, params, handle ? 'overlay' : 'none');
    });
  };

  /**
   * The Payment Element's confirm: `redirect: 'always'` (the default) ends on confirmParams.return_url
   * (through the challenge page when the card asks for 3-D Secure); 'if_required' resolves here,
   * showing 3-D Secure in the overlay.
   */
  Stripe.prototype.confirmPayment = async function (options) {
    options = options || {};
    var elements = options.elements;
    var params = options.confirmParams || {};
    var clientSecret = options.clientSecret || (elements && elements._options.clientSecret);
    var redirect = options.redirect === 'if_required' ? 'if_required' : 'always';
    if (!clientSecret) return invalid('confirmPayment: pass clientSecret, or create the Elements with stripe.elements({ clientSecret })', { param: 'clientSecret' });
    if (redirect === 'always' && !params.return_url) return invalid('confirmPayment: confirmParams.return_url is required unless redirect is \'if_required\'', { param: 'return_url' });
    var element = elements && elements._paying();
    if (!element && !params.payment_method) return invalid('confirmPayment: mount a payment (or card) Element from these elements first');
    var billing = params.payment_method_data && params.payment_method_data.billing_details;
    var pm = await paymentMethodOf(params.payment_method, element, billing);
    var result = await this._confirm(clientSecret, pm, { return_url: redirect === 'always' ? params.return_url : overlayReturn(), receipt_email: params.receipt_email }, redirect === 'always' ? 'redirect' : 'overlay');
    if (redirect === 'if_required' || result.error) return result;
    // No challenge needed: to return_url at once, with what Stripe adds to it.
    var back = new URL(params.return_url);
    back.searchParams.set('payment_intent', result.paymentIntent.id);
    back.searchParams.set('payment_intent_client_secret', clientSecret);
    back.searchParams.set('redirect_status', ['succeeded', 'requires_capture', 'processing'].indexOf(result.paymentIntent.status) >= 0 ? 'succeeded' : 'failed');
    window.location.assign(back.toString());
    return never();
  };

  /** To a Checkout Session's page on Sandpay (the top window, as Stripe.js does). */
  Stripe.prototype.redirectToCheckout = function (options) {
    var id = options && options.sessionId;
    if (typeof id !== 'string' || !id) return Promise.resolve(invalid('redirectToCheckout: pass { sessionId } (cs_test_…)', { param: 'sessionId' }));
    var url = ORIGIN + '/stripe/checkout/' + encodeURIComponent(id);
    try {
      window.top.location.href = url;
    } catch (e) {
      window.location.href = url;
    }
    return never();
  };

  // ----- 3-D Secure in an overlay -----

  /** Shows Sandpay's challenge page in a modal frame until it reports that it is over (or the payer closes it). */
  function challenge(url) {
    return new Promise(function (resolve) {
      var returnFocus = document.activeElement;
      var overlay = css(document.createElement('div'), {
        position: 'fixed', inset: '0', 'z-index': '2147483647', display: 'flex', 'align-items': 'center', 'justify-content': 'center', background: 'rgba(20, 20, 40, 0.55)',
      });
      var dialog = css(document.createElement('div'), {
        display: 'flex', 'flex-direction': 'column', background: '#fff', 'border-radius': '12px', overflow: 'hidden', width: 'min(440px, 100%)', height: 'min(600px, 100%)',
      });
      // The close button has a bar of its own, so it never covers the challenge page.
      var bar = css(document.createElement('div'), { display: 'flex', 'justify-content': 'flex-end', padding: '4px 6px 0', flex: '0 0 auto' });
      dialog.setAttribute('role', 'dialog');
      dialog.setAttribute('aria-modal', 'true');
      dialog.setAttribute('aria-label', '3-D Secure authentication');
      var close = css(document.createElement('button'), {
        width: '32px', height: '32px', border: '0', 'border-radius': '50%', background: '#fff', color: '#1b1b2f', font: '22px/1 system-ui, sans-serif', cursor: 'pointer',
      });
      close.type = 'button';
      close.setAttribute('aria-label', 'Close authentication');
      close.textContent = '\u00d7';
      var frame = css(document.createElement('iframe'), { border: '0', width: '100%', flex: '1 1 auto', display: 'block' });
      frame.title = '3-D Secure authentication';
      frame.src = url;
      bar.appendChild(close);
      dialog.appendChild(bar);
      dialog.appendChild(frame);
      overlay.appendChild(dialog);

      function onMessage(e) {
        if (e.origin !== ORIGIN || e.source !== frame.contentWindow) return;
        if (e.data && e.data.source === SOURCE && e.data.type === 'challenge.done') done();
      }
      // Focus stays in the dialog while it is open. Escape closes it when focus is on this page (the
      // challenge page runs no script, so within it Escape stays there: its close button is before it).
      function onFocusIn(e) { if (!overlay.contains(e.target)) frame.focus(); }
      function onKey(e) { if (e.key === 'Escape') { e.preventDefault(); done(); } }
      function done() {
        window.removeEventListener('message', onMessage);
        document.removeEventListener('focusin', onFocusIn, true);
        document.removeEventListener('keydown', onKey, true);
        overlay.remove();
        if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus();
        resolve();
      }
      close.addEventListener('click', done);
      frame.addEventListener('load', function () { frame.focus(); }, { once: true });
      window.addEventListener('message', onMessage);
      document.addEventListener('focusin', onFocusIn, true);
      document.addEventListener('keydown', onKey, true);
      document.body.appendChild(overlay);
    });
  }

  // ----- Elements -----

  function Elements(stripe, options) {
    this._stripe = stripe;
    this._options = options || {};
    this._all = [];
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'card' && type !== 'payment') throw new Error('Sandpay\'s Stripe.js makes \'card\' and \'payment\' Elements only (got ' + JSON.stringify(type) + ')');
    if (this.getElement(type)) throw new Error('Can only create one Element of type ' + type);
    var element = new Element(this, type, options || {});
    this._all.push(element);
    return element;
  };

  Elements.prototype.getElement = function (type) {
    return this._all.filter(function (e) { return e._type === type && !e._destroyed; })[0] || null;
  };

  /** Validates the Element's fields (Stripe's elements.submit()): {} or { error }. */
  Elements.prototype.submit = async function () {
    var element = this._paying();
    if (!element) return invalid('Mount a payment (or card) Element before submit()');
    var r = await element._request('validate', {});
    return r.error ? { error: r.error } : {};
  };

  Elements.prototype._paying = function () {
    return this.getElement('payment') || this.getElement('card');
  };

  function Element(group, type, options) {
    this._group = group;
    this._type = type;
    this._options = options;
    this._id = 'sp-el-' + (++seq) + '-' + Math.random().toString(36).slice(2, 10);
    this._listeners = {};
    this._frame = null;
    this._waiting = [];
    this._pending = {};
    this._problem = null;
    this._ready = false;
    this._onMessage = this._onMessage.bind(this);
  }

  Element.prototype.on = function (event, fn) {
    (this._listeners[event] = this._listeners[event] || []).push(fn);
    return this;
  };

  Element.prototype.off = function (event, fn) {
    this._listeners[event] = (this._listeners[event] || []).filter(function (f) { return f !== fn; });
    return this;
  };

  Element.prototype._emit = function (event, arg) {
    (this._listeners[event] || []).forEach(function (fn) {
      try { fn(arg); } catch (e) { setTimeout(function () { throw e; }); }
    });
  };

  Element.prototype.mount = function (target) {
    if (this._destroyed) throw new Error('This Element was destroyed: create another');
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || !node.appendChild) throw new Error('mount(): no DOM element matches ' + target);
    if (this._frame) throw new Error('This Element is mounted already: unmount() it first');
    var query = new URLSearchParams({ key: this._group._stripe._key, origin: window.location.origin, type: this._type, id: this._id });
    var frame = css(document.createElement('iframe'), { border: '0', width: '100%', height: '150px', display: 'block', overflow: 'hidden' });
    frame.title = 'Secure card payment input frame';
    frame.setAttribute('allow', 'payment');
    frame.src = ORIGIN + '/stripe/elements/frame?' + query;
    this._frame = frame;
    this._ready = false;
    this._problem = null;
    window.addEventListener('message', this._onMessage);
    // A frame that never says it is ready (it failed to load, or something blocked it) must not
    // leave confirmCardPayment waiting for ever: a bounded wait once it has loaded, and one overall.
    var self = this;
    var giveUp = function () { self._failLoad(frame); };
    frame.addEventListener('load', function () { setTimeout(giveUp, LOAD_GRACE_MS); }, { once: true });
    frame.addEventListener('error', giveUp, { once: true });
    setTimeout(giveUp, LOAD_LIMIT_MS);
    node.appendChild(frame);
  };

  /** The frame did not load: its requests answer an error, and the page hears `loaderror`. */
  Element.prototype._failLoad = function (frame) {
    if (this._frame !== frame || this._ready || this._problem) return;
    this._problem = { type: 'api_connection_error', code: 'element_load_failed', message: 'The card form could not load. Check your connection and reload the page.' };
    this._emit('loaderror', { elementType: this._type, error: this._problem });
    var w = this._waiting;
    this._waiting = [];
    w.forEach(function (f) { f(); });
  };

  Element.prototype.unmount = function () {
    if (!this._frame) return;
    window.removeEventListener('message', this._onMessage);
    this._frame.remove();
    this._frame = null;
    var pending = this._pending;
    this._pending = {};
    Object.keys(pending).forEach(function (k) { pending[k](invalid('The Element was unmounted')); });
  };

  Element.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
  };

  Element.prototype.focus = function () { this._post({ type: 'focus' }); };
  Element.prototype.clear = function () { this._post({ type: 'clear' }); };
  Element.prototype.update = function () {};

  Element.prototype._post = function (msg) {
    var w = this._frame && this._frame.contentWindow;
    msg.source = SOURCE;
    msg.element = this._id;
    // Only to Sandpay's origin: never '*'.
    if (w) w.postMessage(msg, ORIGIN);
  };

  /** Asks the frame for something (a PaymentMethod, a validation) and waits for its answer. */
  Element.prototype._request = function (type, payload) {
    var self = this;
    if (!this._frame) return Promise.resolve(invalid('Mount the Element (element.mount(…)) before confirming'));
    return new Promise(function (resolve) {
      var send = function () {
        if (self._problem) return resolve({ error: self._problem });
        var request = ++seq;
        self._pending[request] = resolve;
        self._post(Object.assign({ type: type, request: request }, payload));
      };
      if (self._ready || self._problem) send();
      else self._waiting.push(send);
    });
  };

  /** Messages count only from Sandpay's origin, from this Element's own frame. */
  Element.prototype._onMessage = function (e) {
    if (!this._frame || e.origin !== ORIGIN || e.source !== this._frame.contentWindow) return;
    var msg = e.data;
    if (!msg || msg.source !== SOURCE || msg.element !== this._id) return;
    var flush = function (self) { var w = self._waiting; self._waiting = []; w.forEach(function (f) { f(); }); };
    if (msg.type === 'ready') {
      this._ready = true;
      this._emit('ready', { elementType: this._type });
      flush(this);
    } else if (msg.type === 'error') {
      this._problem = msg.error;
      this._emit('loaderror', { elementType: this._type, error: msg.error });
      flush(this);
    } else if (msg.type === 'resize' && msg.height > 0) {
      this._frame.style.setProperty('height', msg.height + 'px');
    } else if (msg.type === 'change') {
      this._emit('change', { elementType: this._type, empty: msg.empty, complete: msg.complete, brand: msg.brand, error: msg.error });
    } else if (msg.type === 'focus') {
      this._emit('focus', { elementType: this._type });
    } else if (msg.type === 'result' && this._pending[msg.request]) {
      var resolve = this._pending[msg.request];
      delete this._pending[msg.request];
      resolve(msg.error ? { error: msg.error } : { paymentMethod: msg.paymentMethod });
    }
  };

  window.Stripe = Stripe;
})(window, document);
