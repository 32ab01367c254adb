// Small shared components: labelled fields, alerts, badges, JSON blocks, paging, async data.
import { html, useCallback, useEffect, useRef, useState } from './html.js';
import { STATUS_TONE, humanStatus } from './format.js';

let nextId = 0;
const useId = (prefix) => {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++nextId}`;
  return ref.current;
};

export function TextField({ label, value, onInput, type = 'text', hint, error, required, name, placeholder, autocomplete = 'off', inputmode, min, max, step, readOnly, mono }) {
  const id = useId('f');
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <input id=${id} name=${name} type=${type} value=${value ?? ''} onInput=${(e) => onInput?.(e.currentTarget.value)}
      required=${required} placeholder=${placeholder} autocomplete=${autocomplete} inputmode=${inputmode} min=${min} max=${max} step=${step}
      readOnly=${readOnly} class=${mono ? 'mono' : undefined} aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy} />
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

export function TextArea({ label, value, onInput, hint, error, rows = 4, mono = true }) {
  const id = useId('t');
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <textarea id=${id} rows=${rows} class=${mono ? 'mono' : undefined} value=${value ?? ''} onInput=${(e) => onInput?.(e.currentTarget.value)}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy} spellcheck="false"></textarea>
    ${error && html`<p class="field-error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}

/** options: [value, label] pairs. */
export function SelectField({ label, value, onChange, options, hint }) {
  const id = useId('s');
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    <select id=${id} value=${value ?? ''} onChange=${(e) => onChange(e.currentTarget.value)} aria-describedby=${hint ? `${id}-hint` : undefined}>
      ${options.map(([v, l]) => html`<option value=${v} selected=${v === (value ?? '')}>${l}</option>`)}
    </select>
  </div>`;
}

export function CheckField({ label, checked, onChange, hint }) {
  const id = useId('c');
  return html`<div class="field check">
    <input id=${id} type="checkbox" checked=${checked} onChange=${(e) => onChange(e.currentTarget.checked)} aria-describedby=${hint ? `${id}-hint` : undefined} />
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
  </div>`;
}

/** An API error in words, with what to do and the request id to look up in the request log. */
export function ErrorAlert({ error, title }) {
  if (!error) return null;
  return html`<div class="alert error" role="alert">
    ${title && html`<strong>${title}: </strong>`}${error.message}
    ${error.code && html` <span class="muted">(${error.code}${error.requestId ? html`, request <span class="mono">${error.requestId}</span>` : ''})</span>`}
  </div>`;
}

export function Badge({ status }) {
  return html`<span class=${`badge ${STATUS_TONE[status] ?? 'info'}`}>${humanStatus(status)}</span>`;
}

export function Json({ value, label = 'JSON' }) {
  const text = typeof value === 'string' ? pretty(value) : JSON.stringify(value, null, 2);
  return html`<pre class="json" tabindex="0" aria-label=${label}>${text}</pre>`;
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export function Loading({ what = 'Loading' }) {
  return html`<p class="loading" role="status">${what}…</p>`;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}

/** Cursor paging: "Newer" goes back with ending_before, "Older" on with starting_after. */
export function Pager({ page, cursor, onPage }) {
  if (!page) return null;
  const first = page.data[0]?.id ?? page.data[0]?.event?.id;
  const last = page.data[page.data.length - 1]?.id;
  const hasNewer = Boolean(cursor.starting_after || (cursor.ending_before && page.has_more));
  const hasOlder = Boolean((!cursor.ending_before && page.has_more) || cursor.ending_before);
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" disabled=${!hasNewer || !first} onClick=${() => onPage({ ending_before: first })}>← Newer</button>
    <button type="button" class="secondary" disabled=${!hasOlder || !last} onClick=${() => onPage({ starting_after: last })}>Older →</button>
  </nav>`;
}

/** Loads data for the component; `reload()` refetches, keeping what is shown meanwhile. */
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    return Promise.resolve()
      .then(fn)
      .then(
        (data) => n === seq.current && setState({ data, error: null, loading: false }),
        (error) => n === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
      );
  }, deps);
  useEffect(() => {
    void run();
  }, [run]);
  return { ...state, reload: run };
}

/** Calls fn every `ms` while `active`. */
export function useInterval(fn, ms, active = true) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (!active) return undefined;
    const t = setInterval(() => ref.current(), ms);
    return () => clearInterval(t);
  }, [ms, active]);
}

/** Runs `fn` at most once per `ms` however often it is asked (live updates in bursts). */
export function useThrottled(fn, ms) {
  const ref = useRef(fn);
  ref.current = fn;
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      ref.current();
    }, ms);
  }, [ms]);
}

// ---- toasts: one polite live region for the whole app ----
const toastListeners = new Set();
export function toast(message) {
  for (const fn of toastListeners) fn(message);
}
export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const fn = (message) => {
      const id = Math.random();
      setItems((xs) => [...xs, { id, message }]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), 5000);
    };
    toastListeners.add(fn);
    return () => toastListeners.delete(fn);
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">${items.map((t) => html`<p key=${t.id}>${t.message}</p>`)}</div>`;
}

/** A button that runs an async action, shows it is busy, and reports errors next to it. */
/** `ariaLabel` names the button for assistive technology where its text alone is ambiguous (a "Revoke" in each row). */
export function ActionButton({ label, busyLabel, onClick, className = '', confirm: question, disabled, ariaLabel, errorTitle }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const click = async () => {
    if (question && !window.confirm(question)) return;
    setBusy(true);
    setError(null);
    try {
      await onClick();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button type="button" class=${className} disabled=${busy || disabled} onClick=${click} aria-label=${ariaLabel}>${busy ? (busyLabel ?? `${label}…`) : label}</button>
    ${error && html`<span class="field-error" role="alert">${errorTitle ? `${errorTitle}: ` : ''}${error.message}</span>`}
  </span>`;
}

/** Focus the page's heading after navigation, so screen readers announce the new page. */
export function useFocusHeading(key) {
  useEffect(() => {
    const h1 = document.querySelector('main h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }, [key]);
}
