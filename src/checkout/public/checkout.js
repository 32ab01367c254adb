/*! Sandpay checkout.js v1 | MIT | no dependencies, ES2017 */
(function (window, document) {
  'use strict';

  var VERSION = '1';
  var script = document.currentScript;
  var SCRIPT_ORIGIN = script && script.src ? new URL(script.src, window.location.href).origin : window.location.origin;
  var NARROW = '(max-width: 600px)';

  function css(el, styles) {
    // Through the CSSOM: allowed even where the page's CSP forbids inline styles.
    Object.keys(styles).forEach(function (k) { el.style.setProperty(k, styles[k]); });
    return el;
  }

  function Sandpay(options) {
    if (!(this instanceof Sandpay)) return new Sandpay(options);
    options = options || {};
    var key = options.key || '';
    // A gateway face's key: the mode its script added (options, results, errors).
    this._mode = Sandpay.modes.filter(function (m) { return m.key.test(key); })[0];
    if (!/^pk_test_/.test(key) && !this._mode) {
      throw new Error('Sandpay: options.key must be your publishable key (it starts with pk_test_)' +
        Sandpay.modes.map(function (m) { return ' or ' + m.keyName; }).join(''));
    }
    if (!options.order_id) throw new Error('Sandpay: options.order_id is required');
    this.options = options;
    this.origin = options.sandpay_url ? new URL(options.sandpay_url).origin : SCRIPT_ORIGIN;
    this._listeners = {};
    this._session = null;
    this._ui = null;
    this._onMessage = this._onMessage.bind(this);
    this._onKey = this._onKey.bind(this);
    this._onFocusIn = this._onFocusIn.bind(this);
  }

  Sandpay.version = VERSION;
  Sandpay.modes = [];

  /** checkout.on('payment.failed', fn) → {code, description, payment_id}; 'error' for set-up problems. */
  Sandpay.prototype.on = function (event, fn) {
    (this._listeners[event] = this._listeners[event] || []).push(fn);
    return this;
  };

  Sandpay.prototype._emit = function (event, arg) {
    var fns = this._listeners[event] || [];
    fns.forEach(function (fn) {
      try { fn(arg); } catch (e) { setTimeout(function () { throw e; }); }
    });
    return fns.length > 0;
  };

  Sandpay.prototype._openSession = async function () {
    var o = this.options;
    var body = { order_id: o.order_id };
    ['prefill', 'methods', 'name', 'description', 'notes'].forEach(function (k) { if (o[k] !== undefined) body[k] = o[k]; });
    if (this._mode && o.prefill) body.prefill = this._mode.prefill(o.prefill);
    if (this._mode && this._mode.sessionFields) Object.assign(body, this._mode.sessionFields(o));
    var res = await fetch(this.origin + '/api/v1/checkout/sessions', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + o.key, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
    });
    var json = await res.json().catch(function () { return {}; });
    if (!res.ok) {
      var err = (json && json.error) || {};
      throw { code: err.code || 'network_error', description: err.message || 'Could not open checkout' };
    }
    return json;
  };

  Sandpay.prototype.open = async function () {
    if (this._ui) return;
    this._returnFocus = document.activeElement;
    this._build();
    try {
      if (!this._session || this._session.status !== 'open') this._session = await this._openSession();
    } catch (e) {
      var error = e && e.code ? e : { code: 'network_error', description: 'Could not reach Sandpay' };
      this._teardown();
      if (!this._emit('error', error)) console.error('Sandpay checkout: ' + error.code + ': ' + error.description);
      return;
    }
    var c = (this.options.theme || {}).color, theme = /^#([0-9a-f]{3}){1,2}$/i.test(c) ? '#theme=' + encodeURIComponent(c) : '';
    if (this._ui) this._ui.frame.src = this.origin + '/checkout/' + encodeURIComponent(this._session.id) + theme;
  };

  Sandpay.prototype.close = function () {
    this._teardown();
  };

  Sandpay.prototype._build = function () {
    var overlay = css(document.createElement('div'), {
      position: 'fixed', inset: '0', 'z-index': '2147483647', display: 'flex', 'align-items': 'center',
      'justify-content': 'center', background: 'rgba(20, 20, 40, 0.55)',
    });
    var dialog = css(document.createElement('div'), { position: 'relative', background: '#fff', overflow: 'hidden' });
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-label', 'Sandpay checkout');
    var close = css(document.createElement('button'), {
      position: 'absolute', top: '6px', right: '6px', width: '32px', height: '32px', border: '0', 'border-radius': '50%',
      background: '#fff', color: '#1b1b2f', font: '22px/1 system-ui, sans-serif', cursor: 'pointer', 'z-index': '1',
    });
    close.type = 'button';
    close.setAttribute('aria-label', 'Close checkout');
    close.textContent = '\u00d7';
    var frame = css(document.createElement('iframe'), { border: '0', width: '100%', height: '100%', display: 'block' });
    frame.title = 'Sandpay checkout';
    frame.setAttribute('allow', 'payment');
    // Focus sentinels keep Tab inside the modal.
    var start = document.createElement('span');
    var end = document.createElement('span');
    start.tabIndex = end.tabIndex = 0;
    var self = this;
    start.addEventListener('focus', function () { self._focusFrame('last'); });
    end.addEventListener('focus', function () { close.focus(); });
    close.addEventListener('click', function () { self._dismiss(); });
    [start, close, frame, end].forEach(function (el) { dialog.appendChild(el); });
    overlay.appendChild(dialog);
    this._ui = { overlay: overlay, dialog: dialog, frame: frame, close: close, mq: window.matchMedia(NARROW) };
    this._ui.onResize = function () { self._layout(); };
    this._ui.mq.addEventListener('change', this._ui.onResize);
    this._layout();
    this._bodyOverflow = document.body.style.overflow;
    document.body.style.overflow = 'hidden';
    document.body.appendChild(overlay);
    window.addEventListener('message', this._onMessage);
    document.addEventListener('keydown', this._onKey, true);
    document.addEventListener('focusin', this._onFocusIn, true);
    close.focus();
  };

  /** Full screen on narrow viewports, a card elsewhere. */
  Sandpay.prototype._layout = function () {
    var narrow = this._ui.mq.matches;
    css(this._ui.dialog, narrow
      ? { width: '100%', height: '100%', 'max-height': 'none', 'border-radius': '0' }
      : { width: '440px', height: '680px', 'max-height': '94vh', 'border-radius': '12px' });
  };

  Sandpay.prototype._focusFrame = function (where) {
    if (!this._ui) return;
    this._ui.frame.focus();
    this._post({ type: 'focus', where: where });
  };

  Sandpay.prototype._post = function (msg) {
    var w = this._ui && this._ui.frame.contentWindow;
    msg.source = 'sandpay-sdk';
    // Only to Sandpay's origin: never '*'.
    if (w) w.postMessage(msg, this.origin);
  };

  Sandpay.prototype._onFocusIn = function (e) {
    if (this._ui && !this._ui.overlay.contains(e.target)) this._ui.close.focus();
  };

  Sandpay.prototype._onKey = function (e) {
    if (e.key === 'Escape' && this._ui) {
      e.preventDefault();
      this._dismiss();
    }
  };

  /** Messages count only from Sandpay's origin and from this modal's own frame. */
  Sandpay.prototype._onMessage = function (e) {
    if (!this._ui || e.origin !== this.origin || e.source !== this._ui.frame.contentWindow) return;
    var msg = e.data;
    if (!msg || msg.source !== 'sandpay-checkout') return;
    if (msg.type === 'ready') this._focusFrame('first');
    else if (msg.type === 'dismiss') this._dismiss();
    else if (msg.type === 'payment.failed' && msg.error) {
      this._emit('payment.failed', this._mode ? this._mode.failure(msg.error, msg.payment, this.options.order_id) : msg.error);
    } else if (msg.type === 'payment.success' && msg.result) {
      var r = msg.result, result = this._mode ? this._mode.result(r) : { payment_id: r.payment_id, order_id: r.order_id, signature: r.signature };
      this._teardown();
      if (typeof this.options.handler === 'function') this.options.handler(result);
      this._emit('payment.success', result);
    }
  };

  Sandpay.prototype._dismiss = function () {
    if (!this._ui) return;
    this._teardown();
    var modal = this.options.modal || {};
    if (typeof modal.ondismiss === 'function') modal.ondismiss();
  };

  Sandpay.prototype._teardown = function () {
    var ui = this._ui;
    if (!ui) return;
    this._ui = null;
    window.removeEventListener('message', this._onMessage);
    document.removeEventListener('keydown', this._onKey, true);
    document.removeEventListener('focusin', this._onFocusIn, true);
    ui.mq.removeEventListener('change', ui.onResize);
    ui.overlay.remove();
    document.body.style.overflow = this._bodyOverflow || '';
    if (this._returnFocus && typeof this._returnFocus.focus === 'function') this._returnFocus.focus();
  };

  window.Sandpay = Sandpay;
})(window, document);
