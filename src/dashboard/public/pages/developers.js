import { html, useEffect, useState } from '../lib/html.js';
import { api, del, get, patch, post, qs, setCsrfToken } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { TestClock } from './test-clock.js';
import { ActionButton, CheckField, Empty, ErrorAlert, Loading, Pager, TextArea, TextField, toast, useAsync } from '../lib/ui.js';

function Keys({ me, onChanged }) {
  const [fresh, setFresh] = useState(null);
  const [error, setError] = useState(null);
  const rotate = async (type) => {
    setError(null);
    const r = await post('/auth/keys/rotate', { type });
    setFresh({ type, key: r.secret_key ?? r.publishable_key });
    if (type === 'publishable') await onChanged();
  };
  // Rotating the secret key ends this session (it was signed in with the old key): sign in
  // again with the new one, which stays in this page's memory only until then.
  const signInAgain = async () => {
    try {
      const s = await api('POST', '/dashboard/session', { key: fresh.key }, { signingIn: true });
      setCsrfToken(s.csrf_token);
      setFresh(null);
      await onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="h-keys">
    <h2 id="h-keys">API keys</h2>
    <table>
      <thead><tr><th scope="col">Type</th><th scope="col">Key</th><th scope="col">Created</th><th scope="col">Expires</th></tr></thead>
      <tbody>${me.keys.map((k) => html`<tr key=${k.id}><td>${k.type}</td><td class="mono">${k.hint}</td><td>${dateTime(k.created_at)}</td><td>${k.expires_at ? dateTime(k.expires_at) : 'never'}</td></tr>`)}</tbody>
    </table>
    <div class="buttons">
      <${ActionButton} label="Rotate secret key" className="danger" confirm="Rotate the secret key? The old key stops working at once, and so does this dashboard session (you will sign in with the new key)." onClick=${() => rotate('secret')} />
      <${ActionButton} label="Rotate publishable key" className="secondary" confirm="Rotate the publishable key? The old one stops working at once." onClick=${() => rotate('publishable')} />
    </div>
    ${fresh && html`<div class="alert info" role="status">
      New ${fresh.type} key, shown once: <code class="secret">${fresh.key}</code>. Copy it into your integration now.
      ${fresh.type === 'secret' && html`<p>Your dashboard session ended with the old key. <button type="button" onClick=${signInAgain}>Sign in with the new key</button></p>`}
    </div>`}
    <${ErrorAlert} error=${error} />
  </section>`;
}

/** What a restricted key may do, e.g. "payments: read, refunds: write"; resources at none are left out. */
const grants = (permissions) => Object.entries(permissions).filter(([, level]) => level !== 'none').map(([r, level]) => `${r}: ${level}`).join(', ') || 'nothing';

/**
 * Restricted keys (rk_test_…) are made with POST /api/v1/auth/keys; here they can be seen, with
 * what each may do, and revoked. Revoked ones stay listed, as the API lists them.
 */
function RestrictedKeys() {
  const [cursor, setCursor] = useState({});
  const list = useAsync(() => get(`/auth/keys${qs({ limit: 50, ...cursor })}`), [cursor.starting_after, cursor.ending_before]);
  const revoke = async (k) => {
    await del(`/auth/keys/${k.id}`);
    toast(`Key ${k.name} revoked`);
    await list.reload();
  };
  const keys = list.data?.data ?? [];
  return html`<section class="card" aria-labelledby="h-restricted">
    <h2 id="h-restricted">Restricted keys</h2>
    <p class="muted">Keys that may call only what their permissions allow. Create them with <code>POST /api/v1/auth/keys {"type": "restricted", "name", "permissions"}</code>; revoking one refuses its next request.</p>
    <${ErrorAlert} error=${list.error} title="Restricted keys not loaded" />
    ${!list.data ? (list.error ? null : html`<${Loading} />`) : keys.length === 0 ? html`<${Empty}>No restricted keys yet.</${Empty}>` : html`<table>
      <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Permissions</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Status</th></tr></thead>
      <tbody>${keys.map((k) => html`<tr key=${k.id} data-key-id=${k.id}>
        <td>${k.name}</td><td class="mono key-hint">${k.hint}</td><td>${grants(k.permissions)}</td><td>${dateTime(k.created_at)}</td>
        <td>${k.expires_at ? dateTime(k.expires_at) : 'never'}</td>
        <td>${k.revoked_at
          ? html`<span class="badge muted">revoked</span> ${dateTime(k.revoked_at)}`
          : html`<${ActionButton} label="Revoke" ariaLabel=${`Revoke ${k.name} (${k.hint})`} className="small danger" errorTitle="Not revoked"
              confirm=${`Revoke the key "${k.name}" (${k.hint})? Its next request is refused, and it cannot be restored.`} onClick=${() => revoke(k)} />`}</td>
      </tr>`)}</tbody>
    </table>`}
    ${(list.data?.has_more || cursor.starting_after || cursor.ending_before) && html`<${Pager} page=${list.data} cursor=${cursor} onPage=${setCursor} />`}
  </section>`;
}

function Settings({ me, onChanged }) {
  const s = me.settings;
  const [enabled, setEnabled] = useState(s.auto_process.enabled);
  const [delay, setDelay] = useState(String(s.auto_process.delay_ms));
  const [rate, setRate] = useState(String(s.auto_process.success_rate));
  const [origins, setOrigins] = useState(s.checkout.allowed_origins.join('\n'));
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    // Only what was changed here: a tab left open must not put back what the API changed since.
    const allowed = origins.split(/\s+/).filter(Boolean);
    const auto = {
      ...(enabled !== s.auto_process.enabled ? { enabled } : {}),
      ...(Number(delay) !== s.auto_process.delay_ms ? { delay_ms: Number(delay) } : {}),
      ...(Number(rate) !== s.auto_process.success_rate ? { success_rate: Number(rate) } : {}),
    };
    const patchBody = {
      ...(Object.keys(auto).length ? { auto_process: auto } : {}),
      ...(allowed.join('\n') !== s.checkout.allowed_origins.join('\n') ? { checkout: { allowed_origins: allowed } } : {}),
    };
    try {
      if (Object.keys(patchBody).length) await patch('/auth/settings', patchBody);
      toast('Settings saved');
      await onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return html`<section class="card" aria-labelledby="h-settings">
    <h2 id="h-settings">Settings</h2>
    <form onSubmit=${submit}>
      <fieldset><legend>Async mode</legend>
        <${CheckField} label="Create payments pending and settle them later" checked=${enabled} onChange=${setEnabled} />
        <${TextField} label="Delay before settling (ms)" type="number" min="0" value=${delay} onInput=${setDelay} />
        <${TextField} label="Success rate (0 to 1)" type="number" min="0" max="1" step="0.05" value=${rate} onInput=${setRate} />
      </fieldset>
      <${TextArea} label="Checkout allowed origins" hint="One per line, such as https://shop.example; pages on these origins may open checkout.js" value=${origins} onInput=${setOrigins} />
      <button type="submit">Save settings</button>
      <${ErrorAlert} error=${error} title="Settings not saved" />
    </form>
  </section>`;
}

export function Developers() {
  useEffect(() => {
    document.title = 'Developers · Sandpay';
  }, []);
  const me = useAsync(() => get('/auth/me'), []);
  return html`<section>
    <h1>Developers</h1>
    <p>See every request your integration made in the <a href="/dashboard/developers/logs">request log</a>, and the API reference at <a href="/docs">/docs</a>.</p>
    <${ErrorAlert} error=${me.error} />
    ${!me.data ? html`<${Loading} />` : html`<${Keys} me=${me.data} onChanged=${() => me.reload()} /><${RestrictedKeys} /><${Settings} me=${me.data} onChanged=${() => me.reload()} /><${TestClock} />`}
  </section>`;
}
