import { html, useEffect } from '../lib/html.js';

export function NotFound({ what = 'page' }) {
  useEffect(() => {
    document.title = 'Not found · Sandpay';
  }, []);
  return html`<section class="notfound">
    <h1>404: not found</h1>
    <p>There is no such ${what} in this account. It may belong to another account, or the link may be wrong.</p>
    <p><a href="/dashboard">Back to the dashboard</a></p>
  </section>`;
}

/** A tenant on an operator page, or the other way round. */
export function WrongKind({ session }) {
  useEffect(() => {
    document.title = 'Not allowed · Sandpay';
  }, []);
  return html`<section class="notfound">
    <h1>403: not allowed</h1>
    <p>${session.kind === 'operator' ? 'This is a tenant page. Operators sign in with a tenant\'s secret key to see it.' : 'This page is for operators only. Sign in with the admin token to use it.'}</p>
    <p><a href=${session.kind === 'operator' ? '/dashboard/operator' : '/dashboard'}>Back to the dashboard</a></p>
  </section>`;
}
