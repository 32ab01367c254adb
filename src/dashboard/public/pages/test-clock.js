import { html, useState } from '../lib/html.js';
import { get, post } from '../lib/api.js';
import { dateTime } from '../lib/format.js';
import { Badge, ErrorAlert, Loading, TextField, toast, useAsync, useInterval } from '../lib/ui.js';

/** "3d 4h" ahead, or real time. */
function offsetText(seconds) {
  if (seconds === 0) return 'Real time';
  const parts = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]]) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return `${parts.join(' ')} ahead of real time`;
}

/**
 * The tenant's clock (README, "Time travel"): its time and status, and the control that moves it
 * forward. While it advances the card asks again every second until it is ready.
 */
export function TestClock() {
  const clock = useAsync(() => get('/test-clock'), []);
  const [by, setBy] = useState('1d');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const advancing = clock.data?.status === 'advancing';
  useInterval(async () => {
    try {
      const now = await get('/test-clock');
      if (now.status !== 'ready') return;
      toast(`The clock now reads ${dateTime(now.time)}`);
      await clock.reload();
    } catch (err) {
      setError(err);
    }
  }, 1000, advancing);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await post('/test-clock/advance', { by: by.trim() });
      await clock.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const c = clock.data;
  return html`<section class="card" aria-labelledby="h-clock">
    <h2 id="h-clock">Test clock</h2>
    <p class="muted">Move your account's time forward to see what happens later: uncaptured authorizations and pending payments expire, checkout sessions expire, webhook retries run and dead-letter. Webhook signatures keep real time.</p>
    <${ErrorAlert} error=${clock.error} title="Clock not loaded" />
    ${!c ? (clock.error ? null : html`<${Loading} />`) : html`<dl class="summary" aria-live="polite">
      <div><dt>Clock time</dt><dd class="clock-time">${dateTime(c.time)}</dd></div>
      <div><dt>Offset</dt><dd class="clock-offset">${offsetText(c.offset_seconds)}</dd></div>
      <div><dt>Status</dt><dd class="clock-status"><${Badge} status=${c.status} />${c.advancing_to ? html` to ${dateTime(c.advancing_to)}` : ''}</dd></div>
    </dl>`}
    <form onSubmit=${submit}>
      <${TextField} label="Advance by" hint="A number and a unit: d (days), h, m or s, such as 3d, 90m or 1d12h" value=${by} onInput=${setBy} required mono />
      <button type="submit" disabled=${busy || advancing}>${advancing ? 'Advancing…' : 'Advance clock'}</button>
      <${ErrorAlert} error=${error} title="The clock did not move" />
    </form>
  </section>`;
}
