import { html, useEffect, useState } from '../lib/html.js';
import { get, post, qs } from '../lib/api.js';
import { navigate, setQuery } from '../lib/router.js';
import { useLiveEvents } from '../lib/live.js';
import { dateTime, money, toMinor } from '../lib/format.js';
import { Badge, Empty, ErrorAlert, Loading, Pager, SelectField, TextField, toast, useAsync, useThrottled } from '../lib/ui.js';

const STATUS_OPTIONS = [['', 'Any status'], ...['pending', 'authorized', 'success', 'failed', 'flagged', 'expired', 'partially_refunded', 'refunded'].map((s) => [s, s.replace('_', ' ')])];
const METHOD_OPTIONS = [['', 'Any method'], ['card', 'Card'], ['upi', 'UPI'], ['netbanking', 'Netbanking'], ['wallet', 'Wallet']];
const FILTERS = ['status', 'method', 'from', 'to', 'min', 'max', 'q'];

export const TEST_CARDS = [
  ['4242424242424242', 'Visa 4242: succeeds'],
  ['4000000000000002', 'Visa 0002: declined (card_declined)'],
  ['4000000000009995', 'Visa 9995: insufficient funds'],
  ['4000000000000077', 'Visa 0077: stays pending'],
  ['4100000000000019', 'Visa 0019: flagged as fraud'],
  ['5555555555554444', 'Mastercard 4444: succeeds'],
];

/** The API's query for the page's filters (amounts typed in major units, dates as days). */
function apiQuery(f, cursor) {
  const email = f.q && f.q.includes('@') ? f.q : undefined;
  return qs({
    limit: 25, status: f.status, method: f.method,
    created_gte: f.from ? new Date(`${f.from}T00:00:00`).toISOString() : undefined,
    created_lte: f.to ? new Date(`${f.to}T23:59:59.999`).toISOString() : undefined,
    amount_gte: f.min ? toMinor(f.min, 'INR') : undefined, amount_lte: f.max ? toMinor(f.max, 'INR') : undefined,
    customer_email: email, ...cursor,
  });
}

function NewPayment({ onCreated }) {
  const [amount, setAmount] = useState('50.00');
  const [card, setCard] = useState(TEST_CARDS[0][0]);
  const [capture, setCapture] = useState('automatic');
  const [email, setEmail] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const minor = toMinor(amount, 'INR');
    if (!(minor >= 1)) return setError({ message: 'Enter an amount of at least 0.01, such as 50.00' });
    setBusy(true);
    setError(null);
    try {
      const p = await post('/payments', {
        amount: minor, currency: 'INR', method: 'card', capture,
        card: { number: card, exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' },
        ...(email ? { customer_email: email } : {}), description: 'Created from the dashboard',
      });
      toast(`Payment ${p.id} created: ${p.status}`);
      onCreated(p);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<details class="card">
    <summary>Create a test payment</summary>
    <form onSubmit=${submit} class="row-form">
      <${TextField} label="Amount (INR)" value=${amount} onInput=${setAmount} inputmode="decimal" />
      <${SelectField} label="Test card" value=${card} onChange=${setCard} options=${TEST_CARDS} />
      <${SelectField} label="Capture" value=${capture} onChange=${setCapture} options=${[['automatic', 'Automatic'], ['manual', 'Manual (authorize only)']]} />
      <${TextField} label="Customer email (optional)" type="email" value=${email} onInput=${setEmail} />
      <button type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create payment'}</button>
    </form>
    <${ErrorAlert} error=${error} title="Payment not created" />
  </details>`;
}

export function Payments({ query }) {
  useEffect(() => {
    document.title = 'Payments · Sandpay';
  }, []);
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? '']));
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const [draft, setDraft] = useState(filters);
  const [fresh, setFresh] = useState(new Set());
  const key = query.toString();
  const list = useAsync(async () => {
    if (filters.q && /^pay_/.test(filters.q.trim())) {
      try {
        return { object: 'list', data: [await get(`/payments/${encodeURIComponent(filters.q.trim())}`)], has_more: false };
      } catch (err) {
        if (err.status === 404) return { object: 'list', data: [], has_more: false };
        throw err;
      }
    }
    return get(`/payments${apiQuery(filters, cursor)}`);
  }, [key]);
  const firstPage = !cursor.starting_after && !cursor.ending_before;
  const refresh = useThrottled(async () => {
    const before = new Set((list.data?.data ?? []).map((p) => p.id));
    await list.reload();
    setFresh((prev) => new Set([...prev, ...[...document.querySelectorAll('[data-payment-id]')].map((r) => r.dataset.paymentId).filter((id) => !before.has(id))]));
  }, 300);
  useLiveEvents((e) => {
    if (firstPage && e.type.startsWith('payment.')) refresh();
  });
  const apply = (e) => {
    e.preventDefault();
    setQuery(draft, { replace: false });
  };
  const page = list.data;
  return html`<section>
    <h1>Payments</h1>
    <${NewPayment} onCreated=${() => refresh()} />
    <form class="filters card" onSubmit=${apply} aria-label="Filter payments">
      <${SelectField} label="Status" value=${draft.status} onChange=${(v) => setDraft({ ...draft, status: v })} options=${STATUS_OPTIONS} />
      <${SelectField} label="Method" value=${draft.method} onChange=${(v) => setDraft({ ...draft, method: v })} options=${METHOD_OPTIONS} />
      <${TextField} label="From date" type="date" value=${draft.from} onInput=${(v) => setDraft({ ...draft, from: v })} />
      <${TextField} label="To date" type="date" value=${draft.to} onInput=${(v) => setDraft({ ...draft, to: v })} />
      <${TextField} label="Min amount" inputmode="decimal" value=${draft.min} onInput=${(v) => setDraft({ ...draft, min: v })} />
      <${TextField} label="Max amount" inputmode="decimal" value=${draft.max} onInput=${(v) => setDraft({ ...draft, max: v })} />
      <${TextField} label="Payment id or customer email" value=${draft.q} onInput=${(v) => setDraft({ ...draft, q: v })} placeholder="pay_… or name@example.com" />
      <div class="buttons">
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" onClick=${() => { setDraft(Object.fromEntries(FILTERS.map((k) => [k, '']))); setQuery({}, { replace: false }); }}>Clear</button>
      </div>
    </form>
    <${ErrorAlert} error=${list.error} title="Could not load payments" />
    ${!page ? html`<${Loading} />` : page.data.length === 0 ? html`<${Empty}>No payments match. Create one above or with the API.<//>` : html`
      <table class="list">
        <caption class="sr-only">Payments, newest first${firstPage ? '; new payments appear as they are created' : ''}</caption>
        <thead><tr><th scope="col">Payment</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Method</th><th scope="col">Customer</th><th scope="col">Created</th></tr></thead>
        <tbody>${page.data.map((p) => html`<tr key=${p.id} data-payment-id=${p.id} class=${fresh.has(p.id) ? 'fresh' : ''}>
          <td><a class="mono" href=${`/dashboard/payments/${p.id}`}>${p.id}</a></td>
          <td>${money(p.amount, p.currency)}</td>
          <td><${Badge} status=${p.status} />${p.failure_code && html` <span class="muted mono">${p.failure_code}</span>`}</td>
          <td>${p.method}${p.card?.last4 && html` ·${p.card.last4}`}</td>
          <td>${p.customer_email ?? '—'}</td>
          <td>${dateTime(p.created_at)}</td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${page} cursor=${cursor} onPage=${(c) => setQuery({ ...filters, ...c }, { replace: false })} />`}
  </section>`;
}

export const openPayment = (id) => navigate(`/dashboard/payments/${id}`);
