import { html, useEffect, useState } from '../lib/html.js';
import { get, post } from '../lib/api.js';
import { useLiveEvents } from '../lib/live.js';
import { dateTime, fromMinor, money, ms, time, toMinor } from '../lib/format.js';
import { ActionButton, Badge, ErrorAlert, Json, Loading, SelectField, TextField, toast, useAsync, useInterval, useThrottled } from '../lib/ui.js';
import { NotFound } from './notfound.js';

async function load(id) {
  const [payment, timeline, refunds, audit, chain] = await Promise.all([
    get(`/payments/${id}`), get(`/payments/${id}/timeline`), get(`/payments/${id}/refunds?limit=100`), get(`/payments/${id}/audit`), get('/audit/verify'),
  ]);
  return { payment, timeline: timeline.data, refunds: refunds.data, audit: audit.data, chain };
}

function Summary({ p }) {
  const rows = [
    ['Amount', money(p.amount, p.currency)],
    ['Captured', money(p.amount_captured, p.currency)],
    ['Refunded', money(p.amount_refunded, p.currency)],
    ['Method', `${p.method}${p.card ? ` · ${p.card.brand ?? ''} ····${p.card.last4 ?? ''}` : ''}${p.vpa ? ` · ${p.vpa}` : ''}${p.bank ? ` · ${p.bank}` : ''}${p.wallet ? ` · ${p.wallet}` : ''}`],
    ['Capture', p.capture_method],
    ['Customer', p.customer_email ?? '—'],
    ['Order', p.order_id ?? '—'],
    ['Failure', p.failure_code ? `${p.failure_code}: ${p.failure_message ?? ''}` : '—'],
    ['Fraud', p.fraud ? `${p.fraud.action} by ${p.fraud.rule_id ?? 'rule'}: ${p.fraud.reason ?? ''}` : '—'],
    ['Created', dateTime(p.created_at)],
    ['Updated', dateTime(p.updated_at)],
  ];
  return html`<dl class="summary">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

/**
 * The outcomes POST /payments/:id/simulate can still reach from each status, as the state
 * machine allows them (src/payments/state-machine.ts). Any other status is final for simulate
 * (it would answer 409), so no simulate form is offered there.
 */
const SIMULATE_OUTCOMES = {
  pending: [['success', 'Success'], ['failed', 'Failed'], ['authorized', 'Authorized'], ['expired', 'Expired']],
  authorized: [['success', 'Success'], ['failed', 'Failed'], ['expired', 'Expired']],
};

function Actions({ p, onDone }) {
  const [refundAmount, setRefundAmount] = useState('');
  const [reason, setReason] = useState('');
  const [captureAmount, setCaptureAmount] = useState('');
  const [outcome, setOutcome] = useState('success');
  const [failureCode, setFailureCode] = useState('');
  const [error, setError] = useState(null);
  const run = (label, fn, reset) => async (e) => {
    e?.preventDefault();
    setError(null);
    try {
      await fn();
      reset?.();
      toast(label);
      await onDone();
    } catch (err) {
      setError(err);
    }
  };
  const refundable = p.amount_captured - p.amount_refunded;
  const outcomes = SIMULATE_OUTCOMES[p.status];
  // The choice made while pending may not be offered once authorized.
  const chosen = outcomes?.some(([v]) => v === outcome) ? outcome : outcomes?.[0][0];
  const amountOrAll = (text, fallback) => {
    if (!text.trim()) return undefined;
    const minor = toMinor(text, p.currency);
    if (!(minor >= 1)) throw new Error(`Enter an amount such as ${fromMinor(fallback, p.currency)}, or leave it empty for all of it`);
    return minor;
  };
  return html`<section class="card" aria-labelledby="h-actions">
    <h2 id="h-actions">Actions</h2>
    <${ErrorAlert} error=${error} title="That did not work" />
    ${['failed', 'flagged', 'expired', 'refunded'].includes(p.status) && html`<p class="muted">This payment is ${p.status}, which is final: nothing can change it any more.</p>`}
    <div class="actions-grid">
      ${['success', 'partially_refunded'].includes(p.status) && html`<form onSubmit=${run('Refund created', () => post(`/payments/${p.id}/refunds`, { ...(amountOrAll(refundAmount, refundable) ? { amount: amountOrAll(refundAmount, refundable) } : {}), ...(reason ? { reason } : {}) }), () => { setRefundAmount(''); setReason(''); })}>
        <h3>Refund</h3>
        <${TextField} label=${`Refund amount (${p.currency})`} hint=${`Up to ${money(refundable, p.currency)}; empty refunds all of it`} value=${refundAmount} onInput=${setRefundAmount} inputmode="decimal" />
        <${TextField} label="Reason (optional)" value=${reason} onInput=${setReason} />
        <button type="submit">Refund</button>
      </form>`}
      ${p.status === 'authorized' && html`<form onSubmit=${run('Payment captured', () => post(`/payments/${p.id}/capture`, amountOrAll(captureAmount, p.amount) ? { amount: amountOrAll(captureAmount, p.amount) } : {}))}>
        <h3>Capture</h3>
        <${TextField} label=${`Capture amount (${p.currency})`} hint="Empty captures all of it; the rest is released" value=${captureAmount} onInput=${setCaptureAmount} inputmode="decimal" />
        <button type="submit">Capture</button>
      </form>`}
      ${['pending', 'authorized'].includes(p.status) && html`<div>
        <h3>Cancel</h3>
        <p>The payment becomes failed with payment_cancelled.</p>
        <${ActionButton} label="Cancel payment" className="danger" confirm="Cancel this payment?" onClick=${run('Payment cancelled', () => post(`/payments/${p.id}/cancel`, {}))} />
      </div>`}
      ${outcomes && html`<form onSubmit=${run('Outcome simulated', () => post(`/payments/${p.id}/simulate`, { outcome: chosen, ...(chosen === 'failed' && failureCode ? { failure_code: failureCode } : {}) }))}>
        <h3>Simulate an outcome</h3>
        <${SelectField} label="Outcome" value=${chosen} onChange=${setOutcome} options=${outcomes} />
        ${chosen === 'failed' && html`<${TextField} label="Failure code (optional)" value=${failureCode} onInput=${setFailureCode} placeholder="card_declined" />`}
        <button type="submit" class="secondary">Simulate</button>
      </form>`}
    </div>
  </section>`;
}

function Attempt({ a, eventBody }) {
  return html`<li class="attempt">
    <details>
      <summary>Attempt ${a.attempt}: ${a.status_code ?? 'no answer'} in ${ms(a.latency_ms)} at ${time(a.created_at)}${a.error ? ` (${a.error})` : ''}</summary>
      <div class="grid2">
        <div><h5>Request headers</h5><${Json} label=${`Attempt ${a.attempt} request headers`} value=${a.request_headers ?? { note: 'not recorded' }} /></div>
        <div><h5>Request body</h5><${Json} label=${`Attempt ${a.attempt} request body`} value=${eventBody} /></div>
        <div><h5>Response (${a.status_code ?? '—'}, ${ms(a.latency_ms)})</h5><${Json} label=${`Attempt ${a.attempt} response body`} value=${a.response_body ?? a.error ?? '(empty)'} /></div>
      </div>
    </details>
  </li>`;
}

export function Delivery({ d, eventBody, onRetried }) {
  return html`<div class="delivery">
    <p><${Badge} status=${d.status} /> to <span class="mono">${d.url}</span> · ${d.attempt_count} attempt${d.attempt_count === 1 ? '' : 's'}
      ${d.next_attempt_at && html` · next ${time(d.next_attempt_at)}`}
      ${d.status !== 'pending' && html` <${ActionButton} label="Retry now" className="small secondary" onClick=${async () => {
        await post(`/webhook-deliveries/${d.id}/retry`, {});
        toast(`Delivery ${d.id} queued again`);
        await onRetried?.();
      }} />`}</p>
    ${d.attempts.length > 0 && html`<ol class="attempts">${d.attempts.map((a) => html`<${Attempt} key=${a.attempt} a=${a} eventBody=${eventBody} />`)}</ol>`}
  </div>`;
}

export function PaymentDetail({ params }) {
  const id = params.id;
  useEffect(() => {
    document.title = `${id} · Sandpay`;
  }, [id]);
  const data = useAsync(() => load(id), [id]);
  const refresh = useThrottled(() => data.reload(), 250);
  useLiveEvents((e) => {
    const o = e.data?.object;
    if (o?.id === id || o?.payment_id === id) refresh();
  });
  const d = data.data;
  const settling = d && (d.timeline.some((t) => t.deliveries.some((x) => x.status === 'pending' || x.status === 'failed')) || d.refunds.some((r) => r.status === 'pending') || d.payment.status === 'pending');
  useInterval(() => data.reload(), 1500, Boolean(settling));
  if (data.error?.status === 404) return html`<${NotFound} what="payment" />`;
  if (!d) return html`<section><h1>Payment <span class="mono">${id}</span></h1><${ErrorAlert} error=${data.error} /><${Loading} /></section>`;
  const p = d.payment;
  return html`<section>
    <p><a href="/dashboard/payments">← Payments</a></p>
    <h1>Payment <span class="mono">${p.id}</span> <${Badge} status=${p.status} /></h1>
    <${ErrorAlert} error=${data.error} title="Could not refresh" />
    <div class="grid2">
      <section class="card" aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2><${Summary} p=${p} /></section>
      <${Actions} p=${p} onDone=${() => data.reload()} />
    </div>
    <section class="card" aria-labelledby="h-refunds">
      <h2 id="h-refunds">Refunds</h2>
      ${d.refunds.length === 0 ? html`<p class="empty">No refunds.</p>` : html`<table>
        <thead><tr><th scope="col">Refund</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${d.refunds.map((r) => html`<tr key=${r.id}>
          <td class="mono">${r.id}</td><td>${money(r.amount, r.currency)}</td><td><${Badge} status=${r.status} /></td><td>${r.reason ?? '—'}</td><td>${dateTime(r.created_at)}</td>
          <td>${r.status === 'pending' && html`<${ActionButton} label="Mark processed" className="small secondary" onClick=${async () => { await post(`/refunds/${r.id}/simulate`, { outcome: 'processed' }); await data.reload(); }} />
            <${ActionButton} label="Mark failed" className="small secondary" onClick=${async () => { await post(`/refunds/${r.id}/simulate`, { outcome: 'failed' }); await data.reload(); }} />`}</td>
        </tr>`)}</tbody></table>`}
    </section>
    <section class="card" aria-labelledby="h-timeline">
      <h2 id="h-timeline">Timeline: events and webhook deliveries</h2>
      ${d.timeline.length === 0 ? html`<p class="empty">No events yet.</p>` : html`<ol class="timeline">
        ${d.timeline.map(({ event: e, deliveries }) => html`<li key=${e.id} data-event-type=${e.type}>
          <h3><span class="mono">${e.type}</span> <span class="muted">${dateTime(e.created_at)} · <span class="mono">${e.id}</span></span></h3>
          <details><summary>Event JSON</summary><${Json} label=${`${e.type} event JSON`} value=${e} /></details>
          ${deliveries.length === 0 ? html`<p class="muted">No webhook deliveries (no endpoint subscribes to ${e.type}).</p>` : deliveries.map((x) => html`<${Delivery} key=${x.id} d=${x} eventBody=${e} onRetried=${() => data.reload()} />`)}
        </li>`)}
      </ol>`}
    </section>
    <section class="card" aria-labelledby="h-audit">
      <h2 id="h-audit">Audit trail</h2>
      <p role="status">${d.chain.ok ? html`<span class="badge good">chain verified</span> ${d.chain.rows_checked} rows checked: nobody has rewritten this account's audit log.` : html`<span class="badge bad">chain broken</span> ${d.chain.reason ?? ''} ${d.chain.detail ?? ''}`}</p>
      <table>
        <thead><tr><th scope="col">#</th><th scope="col">Action</th><th scope="col">Status change</th><th scope="col">By</th><th scope="col">Request</th><th scope="col">When</th></tr></thead>
        <tbody>${d.audit.map((a, i) => html`<tr key=${i}><td>${a.seq ?? '…'}</td><td class="mono">${a.action}</td><td>${a.old_status ?? '—'} → ${a.new_status ?? '—'}</td>
          <td>${a.actor.type}${a.actor.id ? html` <span class="mono muted">${a.actor.id}</span>` : ''}</td><td class="mono">${a.request_id ?? '—'}</td><td>${dateTime(a.created_at)}</td></tr>`)}</tbody>
      </table>
    </section>
  </section>`;
}
