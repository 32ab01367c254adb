import { html, useEffect, useState } from '../lib/html.js';
import { del, get, patch, post, qs } from '../lib/api.js';
import { setQuery } from '../lib/router.js';
import { useLiveEvents } from '../lib/live.js';
import { dateTime } from '../lib/format.js';
import { ActionButton, Badge, Empty, ErrorAlert, Json, Loading, Pager, SelectField, TextField, toast, useAsync, useInterval, useThrottled } from '../lib/ui.js';
import { Delivery } from './payment.js';

const EVENT_TYPES = [
  'payment.created', 'payment.authorized', 'payment.success', 'payment.failed', 'payment.flagged', 'payment.expired', 'payment.refunded',
  'payment.partially_refunded', 'refund.created', 'refund.processed', 'refund.failed', 'fraud.detected', 'order.created', 'order.paid',
  'checkout.session.completed', 'checkout.session.expired',
];

const parseEvents = (text) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

function Tabs({ tab }) {
  const tabs = [['endpoints', 'Endpoints', '/dashboard/webhooks'], ['deliveries', 'Deliveries', '/dashboard/webhooks/deliveries'], ['events', 'Events', '/dashboard/webhooks/events']];
  return html`<nav class="tabs" aria-label="Webhooks">${tabs.map(([k, label, href]) => html`<a href=${href} aria-current=${k === tab ? 'page' : undefined}>${label}</a>`)}</nav>`;
}

function SecretOnce({ secret }) {
  return html`<div class="alert info" role="status">Signing secret, shown once: <code class="secret">${secret}</code>. Verify deliveries with it.</div>`;
}

function EndpointForm({ initial, onSaved, submitLabel }) {
  const [url, setUrl] = useState(initial?.url ?? '');
  const [events, setEvents] = useState((initial?.events ?? ['*']).join(', '));
  const [description, setDescription] = useState(initial?.description ?? '');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const body = { url, events: parseEvents(events), ...(description ? { description } : {}) };
      const saved = initial ? await patch(`/webhook-endpoints/${initial.id}`, body) : await post('/webhook-endpoints', body);
      onSaved(saved);
    } catch (err) {
      setError(err);
    }
  };
  return html`<form onSubmit=${submit} class="row-form">
    <${TextField} label="Endpoint URL" type="url" value=${url} onInput=${setUrl} placeholder="http://127.0.0.1:4000/hooks" required />
    <${TextField} label="Events" hint=${`Comma-separated: * for all, or e.g. payment.success, refund.processed`} value=${events} onInput=${setEvents} />
    <${TextField} label="Description (optional)" value=${description} onInput=${setDescription} />
    <button type="submit">${submitLabel}</button>
    <${ErrorAlert} error=${error} title="Not saved" />
  </form>`;
}

function TestResult({ r }) {
  return html`<div class=${`alert ${r.delivered ? 'info' : 'error'}`} role="status">
    Test event ${r.delivered ? 'delivered' : 'not delivered'}: ${r.response.status_code ?? 'no answer'} in ${Math.round(r.response.latency_ms)} ms${r.response.error ? ` (${r.response.error})` : ''}.
    <details><summary>What was sent and answered</summary>
      <${Json} label="Test request headers" value=${r.request.headers} /><${Json} label="Test request body" value=${r.request.body} /><${Json} label="Test response body" value=${r.response.body ?? '(empty)'} />
    </details>
  </div>`;
}

const VERDICTS = { pass: ['good', 'pass'], fail: ['bad', 'FAIL'], not_applicable: ['', 'n/a'] };

const answerOf = (a) => (!a ? '-' : a.status_code !== null ? `${a.status_code} in ${Math.round(a.latency_ms)} ms` : a.error === 'timeout' ? `no answer (timeout)` : `not delivered: ${a.error}`);

/** The handler check's graded cases: the same table `sandpay check-handler` prints. */
function CheckResult({ r, id }) {
  const { pass, fail, not_applicable: na } = r.summary;
  return html`<section class="check-result" aria-labelledby=${`${id}-title`}>
    <p id=${`${id}-title`} class=${`alert ${r.passed ? 'info' : 'error'}`} role="status">
      Handler check ${r.passed ? 'passed' : 'failed'}: ${pass} passed, ${fail} failed${na ? `, ${na} not applicable` : ''} (${r.format} format, timeout ${r.timeout_ms} ms).
    </p>
    <table>
      <caption class="muted">Each delivery sent to ${r.url} and how its answer was graded</caption>
      <thead><tr><th scope="col">Case</th><th scope="col">Sent</th><th scope="col">Answer</th><th scope="col">Verdict</th><th scope="col">Why</th></tr></thead>
      <tbody>${r.cases.map((c, i) => html`<tr key=${i} data-case=${c.case} data-verdict=${c.verdict}>
        <td class="mono">${c.case}</td><td>${c.sent}</td><td>${answerOf(c.answer)}</td>
        <td><span class=${`badge ${VERDICTS[c.verdict][0]}`}>${VERDICTS[c.verdict][1]}</span></td><td>${c.why}</td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

function Endpoint({ e, onChanged }) {
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState(null);
  const [test, setTest] = useState(null);
  const [check, setCheck] = useState(null);
  return html`<li class="card endpoint" data-endpoint-id=${e.id}>
    <h3><span class="mono">${e.url}</span> ${e.enabled ? html`<span class="badge good">enabled</span>` : html`<span class="badge bad">disabled</span>`}</h3>
    <p class="muted"><span class="mono">${e.id}</span> · events: ${e.events.join(', ')}${e.description ? ` · ${e.description}` : ''}${e.disabled_reason ? ` · ${e.disabled_reason}` : ''}</p>
    <div class="buttons">
      <${ActionButton} label="Send test event" onClick=${async () => setTest(await post(`/webhook-endpoints/${e.id}/test`, {}))} />
      <${ActionButton} label="Check handler" busyLabel="Checking handler…" errorTitle="Handler not checked"
        onClick=${async () => { setCheck(null); setCheck(await post(`/webhook-endpoints/${e.id}/check`, {})); }} />
      <button type="button" class="secondary" aria-expanded=${editing} onClick=${() => setEditing(!editing)}>${editing ? 'Close editor' : 'Edit'}</button>
      <${ActionButton} label=${e.enabled ? 'Disable' : 'Enable'} className="secondary" onClick=${async () => { await patch(`/webhook-endpoints/${e.id}`, { enabled: !e.enabled }); toast(`Endpoint ${e.enabled ? 'disabled' : 'enabled'}`); await onChanged(); }} />
      <${ActionButton} label="Rotate secret" className="secondary" confirm="Rotate this endpoint's signing secret? Deliveries are signed with the new one from now on." onClick=${async () => { setSecret((await post(`/webhook-endpoints/${e.id}/rotate-secret`, {})).secret); await onChanged(); }} />
      <${ActionButton} label="Delete" className="danger" confirm="Delete this endpoint?" onClick=${async () => { await del(`/webhook-endpoints/${e.id}`); toast('Endpoint deleted'); await onChanged(); }} />
    </div>
    ${secret && html`<${SecretOnce} secret=${secret} />`}
    ${test && html`<${TestResult} r=${test} />`}
    ${check && html`<${CheckResult} r=${check} id=${`check-${e.id}`} />`}
    ${editing && html`<${EndpointForm} initial=${e} submitLabel="Save endpoint" onSaved=${async () => { setEditing(false); toast('Endpoint saved'); await onChanged(); }} />`}
  </li>`;
}

function Endpoints() {
  const list = useAsync(() => get('/webhook-endpoints?limit=100'), []);
  const [secret, setSecret] = useState(null);
  return html`<div>
    <details class="card" open=${list.data?.data.length === 0}>
      <summary>Add an endpoint</summary>
      <${EndpointForm} submitLabel="Add endpoint" onSaved=${async (e) => { setSecret(e.secret); toast('Endpoint added'); await list.reload(); }} />
    </details>
    ${secret && html`<${SecretOnce} secret=${secret} />`}
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No endpoints yet. Add one to receive signed events.<//>` : html`
      <ul class="plain">${list.data.data.map((e) => html`<${Endpoint} key=${e.id} e=${e} onChanged=${() => list.reload()} />`)}</ul>`}
  </div>`;
}

function Deliveries({ query }) {
  const status = query.get('status') ?? '';
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const list = useAsync(() => get(`/webhook-deliveries${qs({ limit: 20, status, ...cursor })}`), [query.toString()]);
  const [events, setEvents] = useState({});
  const active = Boolean(list.data?.data.some((d) => d.status === 'pending' || d.status === 'failed'));
  useInterval(() => list.reload(), 1500, active);
  const refresh = useThrottled(() => list.reload(), 500);
  useLiveEvents(refresh);
  const showEvent = async (d) => setEvents({ ...events, [d.event_id]: await get(`/events/${d.event_id}`) });
  return html`<div>
    <div class="filters card">
      <${SelectField} label="Delivery status" value=${status} onChange=${(v) => setQuery({ status: v })}
        options=${[['', 'Any status'], ['pending', 'Pending'], ['failed', 'Failed (retrying)'], ['delivered', 'Delivered'], ['dead', 'Dead']]} />
      <${ActionButton} label="Replay all dead deliveries" onClick=${async () => { const r = await post('/webhook-deliveries/replay', {}); toast(`${r.requeued} dead deliveries queued again`); await list.reload(); }} />
    </div>
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No deliveries${status ? ` with status ${status}` : ''}.<//>` : html`
      <ul class="plain">${list.data.data.map((d) => html`<li key=${d.id} class="card" data-delivery-id=${d.id}>
        <h3><span class="mono">${d.event_type}</span> <span class="muted mono">${d.id}</span></h3>
        <p class="muted">Event <a class="mono" href=${`/dashboard/webhooks/events?id=${d.event_id}`}>${d.event_id}</a> · created ${dateTime(d.created_at)}${d.last_error ? ` · last error: ${d.last_error}` : ''}</p>
        ${events[d.event_id] ? html`<${Delivery} d=${d} eventBody=${events[d.event_id]} onRetried=${() => list.reload()} />` : html`<${Delivery} d=${d} eventBody=${{ id: d.event_id, note: 'open the event to see its body' }} onRetried=${() => list.reload()} />
          <button type="button" class="small secondary" onClick=${() => showEvent(d)}>Load event body</button>`}
      </li>`)}</ul>
      <${Pager} page=${list.data} cursor=${cursor} onPage=${(c) => setQuery({ status, ...c }, { replace: false })} />`}
  </div>`;
}

function EventItem({ e, endpoints }) {
  const [target, setTarget] = useState('');
  return html`<li class="card">
    <h3><span class="mono">${e.type}</span> <span class="muted">${dateTime(e.created_at)} · <span class="mono">${e.id}</span></span></h3>
    <details><summary>Event JSON</summary><${Json} label=${`${e.id} JSON`} value=${e} /></details>
    <div class="row-form">
      <${SelectField} label="Resend to" value=${target} onChange=${setTarget} options=${[['', 'Every current target'], ...endpoints.map((x) => [x.id, x.url])]} />
      <${ActionButton} label="Resend" onClick=${async () => { const r = await post(`/events/${e.id}/resend`, target ? { endpoint_id: target } : {}); toast(`${r.deliveries.length} delivery queued`); }} />
    </div>
  </li>`;
}

function Events({ query }) {
  const type = query.get('type') ?? '';
  const id = query.get('id') ?? '';
  const cursor = query.get('starting_after') ? { starting_after: query.get('starting_after') } : query.get('ending_before') ? { ending_before: query.get('ending_before') } : {};
  const list = useAsync(async () => (id ? { object: 'list', data: [await get(`/events/${id}`)], has_more: false } : get(`/events${qs({ limit: 20, type, ...cursor })}`)), [query.toString()]);
  const endpoints = useAsync(() => get('/webhook-endpoints?limit=100'), []);
  return html`<div>
    <div class="filters card">
      <${SelectField} label="Event type" value=${type} onChange=${(v) => setQuery({ type: v })} options=${[['', 'Any type'], ...EVENT_TYPES.map((t) => [t, t])]} />
    </div>
    <${ErrorAlert} error=${list.error} />
    ${!list.data ? html`<${Loading} />` : list.data.data.length === 0 ? html`<${Empty}>No events.<//>` : html`
      <ul class="plain">${list.data.data.map((e) => html`<${EventItem} key=${e.id} e=${e} endpoints=${endpoints.data?.data ?? []} />`)}</ul>
      <${Pager} page=${list.data} cursor=${cursor} onPage=${(c) => setQuery({ type, ...c }, { replace: false })} />`}
  </div>`;
}

export function Webhooks({ params, query }) {
  const tab = params.tab ?? 'endpoints';
  useEffect(() => {
    document.title = 'Webhooks · Sandpay';
  }, []);
  return html`<section>
    <h1>Webhooks</h1>
    <${Tabs} tab=${tab} />
    ${tab === 'deliveries' ? html`<${Deliveries} query=${query} />` : tab === 'events' ? html`<${Events} query=${query} />` : html`<${Endpoints} />`}
  </section>`;
}
