import { html, useEffect, useRef, useState } from '../lib/html.js';
import { api } from '../lib/api.js';
import { TextField } from '../lib/ui.js';

/** Sign in with a secret key (tenant) or the admin token (operator). The key is sent once and never kept by the page. */
export function SignIn({ onSignedIn }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const form = useRef(null);
  useEffect(() => {
    document.title = 'Sign in · Sandpay';
    form.current?.querySelector('input')?.focus();
  }, []);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    if (!key.trim()) {
      setError('Enter your secret key (sk_test_…) or the admin token.');
      return;
    }
    setBusy(true);
    try {
      const session = await api('POST', '/dashboard/session', { key: key.trim() }, { signingIn: true });
      setKey('');
      onSignedIn(session);
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  };
  return html`<main class="signin" id="main">
    <h1>Sign in to Sandpay</h1>
    <p>Use the secret key you got when you registered (<code>sk_test_…</code>), or the admin token printed when Sandpay started to open the operator pages.</p>
    <form ref=${form} onSubmit=${submit} novalidate>
      <${TextField} label="Secret key or admin token" type="password" value=${key} onInput=${setKey} error=${error} autocomplete="off" mono />
      <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
    </form>
    <p class="hint">No key yet? Register with <code>curl -X POST ${location.origin}/api/v1/auth/register -H 'Content-Type: application/json' -d '{"name":"My Shop","email":"dev@example.com"}'</code></p>
  </main>`;
}
