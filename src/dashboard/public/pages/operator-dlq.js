import { html, useEffect, useState } from '../lib/html.js';
import { get, post, qs } from '../lib/api.js';
import { setQuery } from '../lib/router.js';
import { dateTime, ms } from '../lib/format.js';
import { ActionButton, Empty, ErrorAlert, Loading, Pager, TextField, toast, useAsync } from '../lib/ui.js';

const FILTERS = ['tenant_id', 'endpoint_id', 'event_id'];

/** The dead-letter queue across tenants: filter, replay one, or replay everything the filter shows. */
export function OperatorDlq({ query }) {
  useEffect(() => {
    document.title = 'Dead letters · Sandpay';
  }, []);
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? '']));
  const [draft, setDraft] = useState(filters);
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const list = useAsync(() => get(`/admin/dlq${qs({ limit: 50, ...filters, ...cursor })}`), [query.toString()]);
  const replayAll = async () => {
    const body = Object.fromEntries(Object.entries({ tenant_id: filters.tenant_id, endpoint_id: filters.endpoint_id }).filter(([, v]) => v));
    const r = await post('/admin/dlq/replay', body);
    toast(`${r.requeued} dead deliveries queued again`);
    await list.reload();
  };
  return html`<section>
    <h1>Dead-letter queue</h1>
    <form class="filters card" aria-label="Filter dead letters" onSubmit=${(e) => { e.preventDefault(); setQuery(draft, { replace: false }); }}>
      <${TextField} label="Tenant id" value=${draft.tenant_id} onInput=${(v) => setDraft({ ...draft, tenant_id: v })} mono />
      <${TextField} label="Endpoint id" value=${draft.endpoint_id} onInput=${(v) => setDraft({ ...draft, endpoint_id: v })} mono />
      <${TextField} label="Event id" value=${draft.event_id} onInput=${(v) => setDraft({ ...draft, event_id: v })} mono />
      <div class="buttons"><button type="submit">Apply filters</button></div>
    </form>
    <div class="buttons">
      <${ActionButton} label=${filters.tenant_id || filters.endpoint_id ? 'Replay dead letters matching the filter' : 'Replay all dead letters'} onClick=${replayAll}
        confirm="Queue these dead deliveries for delivery again?" />
      <button type="button" class="secondary" onClick=${() => list.reload()}>Refresh</button>
    </div>
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>The dead-letter queue is empty${Object.values(filters).some(Boolean) ? ' for this filter' : ''}.<//>` : html`
      <table class="list">
        <caption class="sr-only">Dead deliveries, newest first</caption>
        <thead><tr><th scope="col">Delivery</th><th scope="col">Tenant</th><th scope="col">Event</th><th scope="col">URL</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Replay</span></th></tr></thead>
        <tbody>${list.data.data.map((d) => html`<tr key=${d.id} data-delivery-id=${d.id}>
          <td class="mono">${d.id}</td><td class="mono">${d.tenant_id}</td><td class="mono">${d.event_type}</td><td class="mono">${d.url}</td>
          <td>${d.attempt_count}${d.attempts.length ? ` (last ${d.attempts[d.attempts.length - 1].status_code ?? 'no answer'}, ${ms(d.attempts[d.attempts.length - 1].latency_ms)})` : ''}</td>
          <td>${d.last_error ?? (d.last_status_code ? `HTTP ${d.last_status_code}` : '—')}</td><td>${dateTime(d.created_at)}</td>
          <td><${ActionButton} label="Replay" className="small secondary" onClick=${async () => { await post(`/admin/dlq/${d.id}/replay`); toast(`Delivery ${d.id} queued again`); await list.reload(); }} /></td>
        </tr>`)}</tbody>
      </table>
      <${Pager} page=${list.data} cursor=${cursor} onPage=${(c) => setQuery({ ...filters, ...c }, { replace: false })} />`}
  </section>`;
}
