// History-API routing for /dashboard/...: links are ordinary <a href>, so they open in new tabs too.
import { useEffect, useState } from './html.js';

const subscribers = new Set();

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  for (const fn of subscribers) fn();
}

window.addEventListener('popstate', () => {
  for (const fn of subscribers) fn();
});

document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
  if (!a || a.target || a.hasAttribute('download') || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/dashboard')) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});

/** The current path and query; re-renders the caller on navigation. */
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    subscribers.add(fn);
    return () => subscribers.delete(fn);
  }, []);
  return { path: location.pathname.replace(/\/+$/, '') || '/dashboard', query: new URLSearchParams(location.search) };
}

/** `/dashboard/payments/:id` against a path: the params, or null. */
export function match(pattern, path) {
  const p = pattern.split('/');
  const x = path.split('/');
  if (p.length !== x.length) return null;
  const params = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(x[i]);
    else if (p[i] !== x[i]) return null;
  }
  return params;
}

/** Replaces the query string (filters) without a new history entry per keystroke. */
export function setQuery(params, { replace = true } = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  navigate(location.pathname + (s ? `?${s}` : ''), { replace });
}
