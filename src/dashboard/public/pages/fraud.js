import { html, useEffect, useState } from '../lib/html.js';
import { del, get, patch, post } from '../lib/api.js';
import { toMinor } from '../lib/format.js';
import { ActionButton, CheckField, Empty, ErrorAlert, Json, Loading, SelectField, TextArea, TextField, toast, useAsync } from '../lib/ui.js';

const TYPES = [
  ['amount_limit', 'Amount limit', { max_amount: 100000, currency: 'INR' }],
  ['velocity', 'Velocity', { max_count: 5, window_seconds: 3600, per: 'customer_email' }],
  ['currency_block', 'Currency block', { currencies: ['USD'] }],
  ['country_block', 'Country block', { countries: ['XX'] }],
  ['email_domain_block', 'Email domain block', { domains: ['example.net'] }],
  ['card_bin_block', 'Card BIN block', { bins: ['410000'] }],
];

function parseParams(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // reported below
  }
  throw new Error('Parameters must be a JSON object, such as {"max_amount": 100000}');
}

function RuleForm({ base, initial, onSaved, submitLabel }) {
  const [name, setName] = useState(initial?.name ?? '');
  const [type, setType] = useState(initial?.type ?? 'amount_limit');
  const [params, setParams] = useState(JSON.stringify(initial?.params ?? TYPES[0][2], null, 2));
  const [action, setAction] = useState(initial?.action ?? 'flag');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [error, setError] = useState(null);
  const pickType = (t) => {
    setType(t);
    setParams(JSON.stringify(TYPES.find((x) => x[0] === t)[2], null, 2));
  };
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const p = parseParams(params);
      const saved = initial
        ? await patch(`${base}/${initial.id}`, { name, params: p, action, enabled })
        : await post(base, { name, type, params: p, action, enabled });
      onSaved(saved);
    } catch (err) {
      setError(err);
    }
  };
  return html`<form onSubmit=${submit} class="rule-form">
    <${TextField} label="Rule name" value=${name} onInput=${setName} required />
    ${!initial && html`<${SelectField} label="Rule type" value=${type} onChange=${pickType} options=${TYPES.map(([v, l]) => [v, l])} />`}
    <${TextArea} label="Parameters (JSON)" value=${params} onInput=${setParams} rows=${4} hint="Amounts in minor units (paise, cents)" />
    <${SelectField} label="Action" value=${action} onChange=${setAction} options=${[['flag', 'Flag the payment'], ['block', 'Block (fail) the payment']]} />
    <${CheckField} label="Enabled" checked=${enabled} onChange=${setEnabled} />
    <button type="submit">${submitLabel}</button>
    <${ErrorAlert} error=${error} title="Rule not saved" />
  </form>`;
}

function Rule({ r, base, editable, onChanged }) {
  const [editing, setEditing] = useState(false);
  return html`<tr>
    <td>${r.name}${r.scope === 'global' && editable !== true ? html` <span class="badge info">global</span>` : ''}</td>
    <td class="mono">${r.type}</td>
    <td><code>${JSON.stringify(r.params)}</code></td>
    <td>${r.action}</td>
    <td>${editable ? html`<${CheckField} label=${`${r.name} enabled`} checked=${r.enabled} onChange=${async (v) => { await patch(`${base}/${r.id}`, { enabled: v }); toast(`${r.name} ${v ? 'enabled' : 'disabled'}`); await onChanged(); }} />` : r.enabled ? 'on' : 'off'}</td>
    <td>${editable && html`<button type="button" class="small secondary" aria-expanded=${editing} onClick=${() => setEditing(!editing)}>${editing ? 'Close' : `Edit ${r.name}`}</button>
      ${editing && html`<${RuleForm} base=${base} initial=${r} submitLabel="Save rule" onSaved=${async () => { setEditing(false); toast('Rule saved'); await onChanged(); }} />`}
      ${r.scope === 'tenant' && html`<${ActionButton} label="Delete" className="small danger" confirm=${`Delete the rule ${r.name}?`} onClick=${async () => { await del(`${base}/${r.id}`); await onChanged(); }} />`}`}</td>
  </tr>`;
}

/** The rules table and the create form; `scope` 'tenant' (own rules editable, global read-only) or 'operator' (global rules). */
export function RulesEditor({ base, scope }) {
  const list = useAsync(() => get(`${base}?limit=100`), [base]);
  const editable = (r) => (scope === 'operator' ? true : r.scope === 'tenant');
  return html`<div>
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No rules yet.<//>` : html`<table>
      <caption class="sr-only">Fraud rules</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Parameters</th><th scope="col">Action</th><th scope="col">Enabled</th><th scope="col"><span class="sr-only">Edit</span></th></tr></thead>
      <tbody>${list.data.data.map((r) => html`<${Rule} key=${r.id} r=${r} base=${base} editable=${editable(r)} onChanged=${() => list.reload()} />`)}</tbody>
    </table>`}
    <details class="card"><summary>Create a rule</summary>
      <${RuleForm} base=${base} submitLabel="Create rule" onSaved=${async () => { toast('Rule created'); await list.reload(); }} />
    </details>
  </div>`;
}

function DryRun() {
  const [amount, setAmount] = useState('50.00');
  const [currency, setCurrency] = useState('INR');
  const [card, setCard] = useState('4242424242424242');
  const [email, setEmail] = useState('');
  const [country, setCountry] = useState('');
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setResult(await post('/fraud-rules/test', {
        amount: toMinor(amount, currency), currency, method: 'card', ...(card ? { card: { number: card.replace(/\s/g, '') } } : {}),
        ...(email ? { customer_email: email } : {}), ...(country ? { billing: { country: country.toUpperCase() } } : {}),
      }));
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="h-dry">
    <h2 id="h-dry">Dry-run tester</h2>
    <p>Which rules would fire for a payment like this? Nothing is created.</p>
    <form onSubmit=${submit} class="row-form">
      <${TextField} label="Amount" value=${amount} onInput=${setAmount} inputmode="decimal" />
      <${TextField} label="Currency" value=${currency} onInput=${(v) => setCurrency(v.toUpperCase())} />
      <${TextField} label="Card number" value=${card} onInput=${setCard} inputmode="numeric" mono />
      <${TextField} label="Customer email" type="email" value=${email} onInput=${setEmail} />
      <${TextField} label="Billing country" value=${country} onInput=${setCountry} placeholder="IN" />
      <button type="submit">Test</button>
    </form>
    <${ErrorAlert} error=${error} title="Could not test" />
    ${result && html`<div role="status" class="alert info">Decision: <strong>${result.decision}</strong>. ${result.would_fire.length === 0 ? 'No rule would fire.' : `${result.would_fire.length} rule(s) would fire:`}
      ${result.would_fire.length > 0 && html`<ul>${result.would_fire.map((f) => html`<li>${f.name} (${f.scope}, ${f.action}): ${f.reason}</li>`)}</ul>`}
    </div>`}
  </section>`;
}

export function Fraud() {
  useEffect(() => {
    document.title = 'Fraud rules · Sandpay';
  }, []);
  return html`<section>
    <h1>Fraud rules</h1>
    <p>Your rules run on every payment, after the global rules the operator set. Flagged payments end <code>flagged</code> with a <code>fraud.detected</code> event.</p>
    <${RulesEditor} base="/fraud-rules" scope="tenant" />
    <${DryRun} />
    <details class="card"><summary>Rule parameter examples</summary><${Json} label="Rule parameter examples" value=${Object.fromEntries(TYPES.map(([t, , p]) => [t, p]))} /></details>
  </section>`;
}
