import { html, useEffect } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { useLiveEvents } from '../lib/live.js';
import { Chart, COLORS } from '../lib/chart.js';
import { moneyMap, ms, percent, TIME_ZONE } from '../lib/format.js';
import { ErrorAlert, Loading, useAsync, useInterval, useThrottled } from '../lib/ui.js';

const STATUSES = ['success', 'failed', 'pending', 'authorized', 'flagged', 'expired', 'partially_refunded', 'refunded'];

export function Stat({ label, value, note }) {
  return html`<div class="stat"><dt>${label}</dt><dd>${value}${note && html`<span class="note">${note}</span>`}</dd></div>`;
}

/** The per-minute charts of an overview (tenant home and operator overview share them). */
export function OverviewCharts({ data }) {
  const x = data.series.minutes.map((m) => new Date(m));
  const statuses = STATUSES.filter((s) => data.series.payments_by_status[s]);
  const total = statuses.reduce((n, s) => n + data.series.payments_by_status[s].reduce((a, b) => a + b, 0), 0);
  const attempts = data.series.delivery_attempts.reduce((a, b) => a + b, 0);
  const failures = data.series.delivery_failures.reduce((a, b) => a + b, 0);
  return html`<div class="charts">
    <${Chart} title="Payments per minute, last hour, by status" bars
      summary=${total ? statuses.map((s) => `${data.series.payments_by_status[s].reduce((a, b) => a + b, 0)} ${s.replace('_', ' ')}`).join(', ') : 'No payments in the last hour'}
      x=${x} yLabel="payments" series=${(statuses.length ? statuses : ['success']).map((s) => ({ label: s.replace('_', ' '), color: COLORS[s], values: data.series.payments_by_status[s] ?? x.map(() => 0) }))} />
    <${Chart} title="Webhook deliveries per minute and p95 latency, last hour"
      summary=${attempts ? `${attempts} attempts, ${failures} failed, p95 latency ${ms(data.webhooks_last_hour.latency_ms.p95)}` : 'No delivery attempts in the last hour'}
      x=${x} yLabel="attempts" y2Label="p95 ms"
      series=${[
        { label: 'attempts', color: COLORS.attempts, values: data.series.delivery_attempts },
        { label: 'failed', color: COLORS.failures, values: data.series.delivery_failures },
        { label: 'p95 latency (ms)', color: COLORS.p95, values: data.series.delivery_p95_ms, axis: 'right' },
      ]} />
  </div>`;
}

export function Period({ title, p }) {
  return html`<section class="card" aria-labelledby=${`h-${title}`}>
    <h2 id=${`h-${title}`}>${title}</h2>
    <dl class="stats">
      <${Stat} label="Payments" value=${p.count} />
      <${Stat} label="Succeeded" value=${p.succeeded} />
      <${Stat} label="Failed or flagged" value=${p.failed} />
      <${Stat} label="Success rate" value=${percent(p.success_rate)} />
      <${Stat} label="Volume" value=${moneyMap(p.volume)} />
    </dl>
  </section>`;
}

export function Home() {
  useEffect(() => {
    document.title = 'Home · Sandpay';
  }, []);
  const overview = useAsync(() => get(`/overview${qs({ tz: TIME_ZONE })}`), []);
  const refresh = useThrottled(() => overview.reload(), 1000);
  useLiveEvents(refresh);
  useInterval(() => overview.reload(), 15_000);
  const d = overview.data;
  return html`<section>
    <h1>Home</h1>
    <${ErrorAlert} error=${overview.error} title="Could not load the overview" />
    ${!d ? html`<${Loading} />` : html`
      <div class="grid2">
        <${Period} title="Today" p=${d.payments.today} />
        <${Period} title="Last hour" p=${d.payments.last_hour} />
      </div>
      <div class="grid2">
        <section class="card" aria-labelledby="h-hooks">
          <h2 id="h-hooks">Webhooks, last hour</h2>
          <dl class="stats">
            <${Stat} label="Delivery attempts" value=${d.webhooks_last_hour.attempts} />
            <${Stat} label="Success rate" value=${percent(d.webhooks_last_hour.success_rate)} />
            <${Stat} label="p95 latency" value=${ms(d.webhooks_last_hour.latency_ms.p95)} />
            <${Stat} label="p50 latency" value=${ms(d.webhooks_last_hour.latency_ms.p50)} />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-refunds">
          <h2 id="h-refunds">Refunds today</h2>
          <dl class="stats">
            <${Stat} label="Refunds" value=${d.refunds_today.count} />
            <${Stat} label="Amount" value=${moneyMap(d.refunds_today.amount)} />
            ${Object.entries(d.refunds_today.by_status).map(([s, n]) => html`<${Stat} label=${`${s[0].toUpperCase()}${s.slice(1)}`} value=${n} />`)}
          </dl>
        </section>
      </div>
      <${OverviewCharts} data=${d} />
      <section class="card" aria-labelledby="h-declines">
        <h2 id="h-declines">Declines today, by code</h2>
        ${d.declines_today.length === 0 ? html`<p class="empty">No declines today.</p>` : html`
          <table><thead><tr><th scope="col">Code</th><th scope="col">Payments</th></tr></thead>
          <tbody>${d.declines_today.map((x) => html`<tr><td class="mono">${x.code}</td><td>${x.count}</td></tr>`)}</tbody></table>`}
      </section>`}
  </section>`;
}
