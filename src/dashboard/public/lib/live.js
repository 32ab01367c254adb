// One server-sent-events stream per signed-in tab: GET /api/v1/events/stream with the session
// cookie (the same stream an integration or the CLI reads with its key). The browser resumes
// with Last-Event-ID on its own after a network drop; after a refused connection we reopen it
// with ?last_event_id= so nothing committed meanwhile is missed.
import { useEffect, useRef, useState } from './html.js';

const EVENT_TYPES = [
  'payment.created', 'payment.authorized', 'payment.success', 'payment.failed', 'payment.flagged', 'payment.expired',
  'payment.refunded', 'payment.partially_refunded', 'refund.created', 'refund.processed', 'refund.failed',
  'fraud.detected', 'order.created', 'order.paid', 'checkout.session.completed', 'checkout.session.expired',
];

const listeners = new Set();
const stateListeners = new Set();
let source = null;
let lastId = null;
let state = 'off';
let retryTimer = null;

function setState(s) {
  state = s;
  for (const fn of stateListeners) fn(s);
}

function open() {
  const url = `/api/v1/events/stream${lastId ? `?last_event_id=${encodeURIComponent(lastId)}` : ''}`;
  source = new EventSource(url);
  source.addEventListener('ready', (e) => {
    lastId = e.lastEventId || lastId;
    setState('live');
  });
  for (const type of EVENT_TYPES) {
    source.addEventListener(type, (e) => {
      lastId = e.lastEventId || lastId;
      let event;
      try {
        event = JSON.parse(e.data);
      } catch {
        return;
      }
      for (const fn of listeners) fn(event);
    });
  }
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      setState('reconnecting');
      source = null;
      retryTimer = setTimeout(open, 3000);
    } else {
      setState('reconnecting');
    }
  };
}

export function startLive() {
  if (source || retryTimer) return;
  open();
}

export function stopLive() {
  clearTimeout(retryTimer);
  retryTimer = null;
  source?.close();
  source = null;
  lastId = null;
  setState('off');
}

/** Calls fn(event) for every event of this tenant as it commits, while the component is mounted. */
export function useLiveEvents(fn) {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    const listener = (e) => ref.current(e);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
}

export function useLiveState() {
  const [s, set] = useState(state);
  useEffect(() => {
    stateListeners.add(set);
    set(state);
    return () => stateListeners.delete(set);
  }, []);
  return s;
}
