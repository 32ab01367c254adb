// The dashboard shell: who is signed in, the navigation, the page for the URL, and the live stream.
import { html, render, useEffect, useState } from './lib/html.js';
import { api, onSignedOut, setCsrfToken } from './lib/api.js';
import { match, navigate, useLocation } from './lib/router.js';
import { startLive, stopLive, useLiveState } from './lib/live.js';
import { Loading, Toasts, useFocusHeading } from './lib/ui.js';
import { SignIn } from './pages/signin.js';
import { Home } from './pages/home.js';
import { Payments } from './pages/payments.js';
import { PaymentDetail } from './pages/payment.js';
import { Webhooks } from './pages/webhooks.js';
import { Fraud } from './pages/fraud.js';
import { Developers } from './pages/developers.js';
import { RequestLog } from './pages/request-log.js';
import { OperatorOverview } from './pages/operator.js';
import { OperatorTenants } from './pages/operator-tenants.js';
import { OperatorDlq } from './pages/operator-dlq.js';
import { OperatorFraud } from './pages/operator-fraud.js';
import { NotFound, WrongKind } from './pages/notfound.js';

const TENANT_PAGES = [
  ['/dashboard', Home],
  ['/dashboard/payments', Payments],
  ['/dashboard/payments/:id', PaymentDetail],
  ['/dashboard/webhooks', Webhooks],
  ['/dashboard/webhooks/:tab', Webhooks],
  ['/dashboard/fraud', Fraud],
  ['/dashboard/developers', Developers],
  ['/dashboard/developers/logs', RequestLog],
];
const OPERATOR_PAGES = [
  ['/dashboard', OperatorOverview],
  ['/dashboard/operator', OperatorOverview],
  ['/dashboard/operator/tenants', OperatorTenants],
  ['/dashboard/operator/dlq', OperatorDlq],
  ['/dashboard/operator/fraud', OperatorFraud],
];

const TENANT_NAV = [
  ['/dashboard', 'Home'], ['/dashboard/payments', 'Payments'], ['/dashboard/webhooks', 'Webhooks'], ['/dashboard/fraud', 'Fraud rules'],
  ['/dashboard/developers', 'Developers'], ['/dashboard/developers/logs', 'Request log'],
];
const OPERATOR_NAV = [
  ['/dashboard/operator', 'Overview'], ['/dashboard/operator/tenants', 'Tenants'], ['/dashboard/operator/dlq', 'Dead letters'], ['/dashboard/operator/fraud', 'Global fraud rules'],
];

function find(pages, path) {
  for (const [pattern, Page] of pages) {
    const params = match(pattern, path);
    if (params) return { Page, params };
  }
  return null;
}

function LiveIndicator() {
  const state = useLiveState();
  const text = { live: 'Live', reconnecting: 'Reconnecting…', off: 'Not live' }[state];
  return html`<span class=${`live ${state}`} role="status" title="Updates from the event stream">${text}</span>`;
}

function Layout({ session, onSignOut, children, path }) {
  const nav = session.kind === 'operator' ? OPERATOR_NAV : TENANT_NAV;
  const current = nav.filter(([href]) => path === href || path.startsWith(`${href}/`)).sort((a, b) => b[0].length - a[0].length)[0]?.[0];
  return html`<div class="layout">
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">Sandpay</span>
      <span class="who">${session.kind === 'operator' ? 'Operator' : html`${session.tenant.name} <span class="muted mono">${session.tenant.id}</span>`}</span>
      ${session.kind === 'tenant' && html`<${LiveIndicator} />`}
      <button type="button" class="secondary" onClick=${onSignOut}>Sign out</button>
    </header>
    <nav class="side" aria-label="Dashboard">
      <ul>${nav.map(([href, label]) => html`<li><a href=${href} aria-current=${href === current ? 'page' : undefined}>${label}</a></li>`)}</ul>
    </nav>
    <main id="main">${children}</main>
    <${Toasts} />
  </div>`;
}

function Routed({ session, path, query }) {
  useFocusHeading(path);
  const mine = session.kind === 'operator' ? OPERATOR_PAGES : TENANT_PAGES;
  const theirs = session.kind === 'operator' ? TENANT_PAGES : OPERATOR_PAGES;
  const found = find(mine, path);
  if (found) return html`<${found.Page} key=${path} params=${found.params} query=${query} session=${session} />`;
  if (find(theirs, path)) return html`<${WrongKind} session=${session} />`;
  return html`<${NotFound} />`;
}

function App() {
  const { path, query } = useLocation();
  const [session, setSession] = useState(undefined);

  const load = () =>
    api('GET', '/dashboard/session', undefined, { signingIn: true }).then(
      (s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      },
      () => setSession(null),
    );
  useEffect(() => {
    void load();
    return onSignedOut(() => setSession(null));
  }, []);
  useEffect(() => {
    if (session?.kind === 'tenant') startLive();
    else stopLive();
  }, [session?.id]);

  if (session === undefined) return html`<main class="boot"><${Loading} what="Loading the dashboard" /></main>`;
  if (session === null) {
    return html`<${SignIn} onSignedIn=${(s) => {
      setCsrfToken(s.csrf_token);
      setSession(s);
      const home = s.kind === 'operator' ? '/dashboard/operator' : '/dashboard';
      if (s.kind === 'operator' ? !path.startsWith('/dashboard/operator') : path.startsWith('/dashboard/operator')) navigate(home, { replace: true });
    }} />`;
  }
  const signOut = async () => {
    try {
      await api('DELETE', '/dashboard/session');
    } catch {
      // already gone: signed out either way
    }
    stopLive();
    setCsrfToken(null);
    setSession(null);
  };
  return html`<${Layout} session=${session} onSignOut=${signOut} path=${path}><${Routed} session=${session} path=${path} query=${query} /><//>`;
}

render(html`<${App} />`, document.getElementById('app'));
