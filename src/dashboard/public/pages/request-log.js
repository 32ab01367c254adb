import { html, useEffect, useState } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { setQuery } from '../lib/router.js';
import { dateTime, ms, time } from '../lib/format.js';
import { CheckField, Empty, ErrorAlert, Json, Loading, Pager, SelectField, TextField, useAsync, useInterval } from '../lib/ui.js';

const FILTERS = ['status', 'method', 'path', 'error_code', 'request_id'];

function Entry({ r, open, onToggle }) {
  const failed = r.status >= 400;
  return html`<tbody>
    <tr class=${failed ? 'failed' : ''} data-request-id=${r.request_id}>
      <td><time datetime=${r.created_at} title=${dateTime(r.created_at)}>${time(r.created_at)}</time></td>
      <td class="mono">${r.method}</td>
      <td class="mono">${r.path}${r.query ? html`<span class="muted">?${r.query}</span>` : ''}</td>
      <td><span class=${`badge ${r.status >= 500 ? 'bad' : r.status >= 400 ? 'wait' : 'good'}`}>${r.status}</span></td>
      <td>${ms(r.latency_ms)}</td>
      <td class="mono">${r.error?.code ? html`<a href=${`#log-${r.id}`} onClick=${(e) => { e.preventDefault(); onToggle(true); }}>${r.error.code}</a>` : '—'}</td>
      <td class="mono small">${r.idempotency_key ?? '—'}</td>
      <td class="mono small">${r.request_id}</td>
      <td><button type="button" class="small secondary" aria-expanded=${open} onClick=${() => onToggle(!open)}>${open ? 'Hide' : 'Details'}<span class="sr-only"> of ${r.method} ${r.path} at ${dateTime(r.created_at)}</span></button></td>
    </tr>
    ${open && html`<tr class="detail"><td colspan="9" id=${`log-${r.id}`}>
      ${r.error && html`<div class="alert error" role="note"><strong>${r.error.type}: ${r.error.code}</strong>${r.error.param ? ` (param ${r.error.param})` : ''}: ${r.error.message}</div>`}
      <p class="muted">Source: ${r.source.replace('_', ' ')}${r.idempotent_replayed ? ' · replayed from the Idempotency-Key' : ''}${r.fault ? ` · injected fault: ${r.fault}` : ''}</p>
      <div class="grid2">
        <div><h3>Request body</h3><${Json} label="Request body" value=${r.request_body ?? '(none)'} /></div>
        <div><h3>Response body</h3><${Json} label="Response body" value=${r.response_body ?? '(none)'} /></div>
      </div>
    </td></tr>`}
  </tbody>`;
}

export function RequestLog({ query }) {
  useEffect(() => {
    document.title = 'Request log · Sandpay';
  }, []);
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? '']));
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const [draft, setDraft] = useState(filters);
  const [openId, setOpenId] = useState(null);
  const [follow, setFollow] = useState(true);
  const list = useAsync(() => get(`/request-log${qs({ limit: 50, ...filters, ...cursor })}`), [query.toString()]);
  useInterval(() => list.reload(), 2000, follow && !cursor.starting_after && !cursor.ending_before);
  return html`<section>
    <h1>Request log</h1>
    <p>Your integration's last requests as Sandpay answered them, newest first: kept 72 hours, at most 1,000. Card numbers, cvc, keys and secrets are redacted.</p>
    <form class="filters card" aria-label="Filter requests" onSubmit=${(e) => { e.preventDefault(); setQuery(draft, { replace: false }); }}>
      <${TextField} label="Status" value=${draft.status} onInput=${(v) => setDraft({ ...draft, status: v })} placeholder="404 or 4xx" />
      <${SelectField} label="Method" value=${draft.method} onChange=${(v) => setDraft({ ...draft, method: v })} options=${[['', 'Any method'], ['GET', 'GET'], ['POST', 'POST'], ['PATCH', 'PATCH'], ['DELETE', 'DELETE']]} />
      <${TextField} label="Path starts with" value=${draft.path} onInput=${(v) => setDraft({ ...draft, path: v })} placeholder="/api/v1/payments" />
      <${TextField} label="Error code" value=${draft.error_code} onInput=${(v) => setDraft({ ...draft, error_code: v })} />
      <${TextField} label="Request id" value=${draft.request_id} onInput=${(v) => setDraft({ ...draft, request_id: v })} />
      <div class="buttons">
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" onClick=${() => { setDraft(Object.fromEntries(FILTERS.map((k) => [k, '']))); setQuery({}, { replace: false }); }}>Clear</button>
      </div>
      <${CheckField} label="Follow new requests" checked=${follow} onChange=${setFollow} />
    </form>
    <${ErrorAlert} error=${list.error} title="Could not load the request log" />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No requests${Object.values(filters).some(Boolean) ? ' match these filters' : ' yet: call the API with your secret key'}.<//>` : html`
      <table class="list log">
        <caption class="sr-only">Requests, newest first</caption>
        <thead><tr><th scope="col">Time</th><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">Latency</th><th scope="col">Error</th><th scope="col">Idempotency key</th><th scope="col">Request id</th><th scope="col"><span class="sr-only">Details</span></th></tr></thead>
        ${list.data.data.map((r) => html`<${Entry} key=${r.id} r=${r} open=${openId === r.id} onToggle=${(v) => setOpenId(v ? r.id : null)} />`)}
      </table>
      <${Pager} page=${list.data} cursor=${cursor} onPage=${(c) => setQuery({ ...filters, ...c }, { replace: false })} />`}
  </section>`;
}
