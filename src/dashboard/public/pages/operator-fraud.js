import { html, useEffect } from '../lib/html.js';
import { RulesEditor } from './fraud.js';

export function OperatorFraud() {
  useEffect(() => {
    document.title = 'Global fraud rules · Sandpay';
  }, []);
  return html`<section>
    <h1>Global fraud rules</h1>
    <p>These rules run on every tenant's payments, before the tenant's own.</p>
    <${RulesEditor} base="/admin/fraud-rules" scope="operator" />
  </section>`;
}
