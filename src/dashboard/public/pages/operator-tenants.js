import { html, useEffect, useState } from '../lib/html.js';
import { get, patch, qs } from '../lib/api.js';
import { setQuery } from '../lib/router.js';
import { dateTime } from '../lib/format.js';
import { ActionButton, Empty, ErrorAlert, Loading, Pager, SelectField, TextField, toast, useAsync } from '../lib/ui.js';

function RateLimit({ t, onSaved }) {
  const [value, setValue] = useState(t.rate_limit === null ? '' : String(t.rate_limit));
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await patch(`/admin/tenants/${t.id}`, { rate_limit: value.trim() === '' ? null : Number(value) });
      toast(`Rate limit of ${t.name} saved`);
      await onSaved();
    } catch (err) {
      setError(err);
    }
  };
  return html`<form class="inline" onSubmit=${save}>
    <${TextField} label=${`Rate limit for ${t.name} (requests per window; empty: default)`} type="number" min="1" value=${value} onInput=${setValue} error=${error?.message} />
    <button type="submit" class="small secondary">Save limit</button>
  </form>`;
}

function Verify({ t }) {
  const [result, setResult] = useState(null);
  return html`<span>
    <${ActionButton} label="Verify audit" className="small secondary" onClick=${async () => setResult(await get(`/admin/audit/verify/${t.id}`))} />
    ${result && html`<span role="status" class=${`badge ${result.ok ? 'good' : 'bad'}`}>${result.ok ? `verified, ${result.rows_checked} rows` : `broken: ${result.reason ?? ''}`}</span>`}
  </span>`;
}

export function OperatorTenants({ query }) {
  useEffect(() => {
    document.title = 'Tenants · Sandpay';
  }, []);
  const disabled = query.get('disabled') ?? '';
  const search = query.get('search') ?? '';
  const [draft, setDraft] = useState(search);
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const list = useAsync(() => get(`/admin/tenants${qs({ limit: 50, disabled, search, ...cursor })}`), [query.toString()]);
  return html`<section>
    <h1>Tenants</h1>
    <form class="filters card" aria-label="Find tenants" onSubmit=${(e) => { e.preventDefault(); setQuery({ disabled, search: draft }, { replace: false }); }}>
      <${TextField} label="Name, email or id" value=${draft} onInput=${setDraft} />
      <${SelectField} label="State" value=${disabled} onChange=${(v) => setQuery({ disabled: v, search })} options=${[['', 'All tenants'], ['false', 'Enabled'], ['true', 'Disabled']]} />
      <div class="buttons"><button type="submit">Search</button></div>
    </form>
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No tenants match.<//>` : html`<ul class="plain">
      ${list.data.data.map((t) => html`<li key=${t.id} class="card" data-tenant-id=${t.id}>
        <h2>${t.name} ${t.disabled ? html`<span class="badge bad">disabled</span>` : html`<span class="badge good">enabled</span>`}</h2>
        <p class="muted"><span class="mono">${t.id}</span> · ${t.email} · registered ${dateTime(t.created_at)} · ${t.counts.payments} payments · ${t.counts.webhook_endpoints} endpoints · ${t.counts.dead_deliveries} dead deliveries</p>
        <div class="buttons">
          <${ActionButton} label=${t.disabled ? `Enable ${t.name}` : `Disable ${t.name}`} className=${t.disabled ? '' : 'danger'}
            confirm=${t.disabled ? undefined : `Disable ${t.name}? Its keys and sessions stop working until you enable it again.`}
            onClick=${async () => { await patch(`/admin/tenants/${t.id}`, { disabled: !t.disabled }); toast(`${t.name} ${t.disabled ? 'enabled' : 'disabled'}`); await list.reload(); }} />
          <${Verify} t=${t} />
          <a href=${`/dashboard/operator/dlq?tenant_id=${t.id}`}>Dead letters</a>
        </div>
        <${RateLimit} t=${t} onSaved=${() => list.reload()} />
      </li>`)}
    </ul>
    <${Pager} page=${list.data} cursor=${cursor} onPage=${(c) => setQuery({ disabled, search, ...c }, { replace: false })} />`}
  </section>`;
}
