import { html, useEffect, useState } from '../lib/html.js';
import { api, get, patch, post, setCsrfToken } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { ActionButton, CheckField, ErrorAlert, Loading, TextArea, TextField, toast, useAsync } from '../lib/ui.js';

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
    try {
      await patch('/auth/settings', {
        auto_process: { enabled, delay_ms: Number(delay), success_rate: Number(rate) },
        checkout: { allowed_origins: origins.split(/\s+/).filter(Boolean) },
      });
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
    ${!me.data ? html`<${Loading} />` : html`<${Keys} me=${me.data} onChanged=${() => me.reload()} /><${Settings} me=${me.data} onChanged=${() => me.reload()} />`}
  </section>`;
}
