import { html, useEffect } from '../lib/html.js';
import { get, qs } from '../lib/api.js';
import { percent, ms, TIME_ZONE } from '../lib/format.js';
import { ErrorAlert, Loading, useAsync, useInterval } from '../lib/ui.js';
import { OverviewCharts, Period, Stat } from './home.js';


/** Operators: queue depths, delivery health and throughput across every tenant (the data behind /metrics). */
export function OperatorOverview() {
  useEffect(() => {
    document.title = 'Operator overview · Sandpay';
  }, []);
  const data = useAsync(async () => {
    const [metrics, overview] = await Promise.all([get('/admin/metrics'), get(`/admin/overview${qs({ tz: TIME_ZONE })}`)]);
    return { metrics, overview };
  }, []);
  useInterval(() => data.reload(), 5000);
  const d = data.data;
  return html`<section>
    <h1>Operator overview</h1>
    <${ErrorAlert} error=${data.error} title="Could not load the metrics" />
    ${!d ? html`<${Loading} />` : html`
      <div class="grid2">
        <section class="card" aria-labelledby="h-queues">
          <h2 id="h-queues">Job queues</h2>
          <dl class="stats">
            <${Stat} label="Pending jobs" value=${d.metrics.jobs.pending} />
            <${Stat} label="Processing" value=${d.metrics.jobs.processing} />
            <${Stat} label="Failed jobs" value=${d.metrics.jobs.failed} />
            <${Stat} label="Dead-letter depth" value=${d.metrics.webhooks.dlq_depth} />
            <${Stat} label="Workers" value=${d.metrics.jobs.worker_status} />
          </dl>
        </section>
        <section class="card" aria-labelledby="h-health">
          <h2 id="h-health">Webhooks and database, last hour</h2>
          <dl class="stats">
            <${Stat} label="Delivery attempts" value=${d.metrics.webhooks.attempts_last_hour} />
            <${Stat} label="Delivery success" value=${percent(d.metrics.webhooks.success_rate_last_hour)} />
            <${Stat} label="p95 latency" value=${ms(d.metrics.webhooks.latency_ms_last_hour.p95)} />
            <${Stat} label="Tenants" value=${`${d.metrics.tenants.total} (${d.metrics.tenants.disabled} disabled)`} />
            <${Stat} label="DB pool in use" value=${`${d.metrics.db_pool.total - d.metrics.db_pool.idle} of ${d.metrics.db_pool.max}`} />
          </dl>
        </section>
      </div>
      <div class="grid2">
        <${Period} title="Today, all tenants" p=${d.overview.payments.today} />
        <${Period} title="Last hour, all tenants" p=${d.overview.payments.last_hour} />
      </div>
      <${OverviewCharts} data=${d.overview} />
      <p class="muted">Prometheus scrapes the same numbers at <code>/metrics</code> with the admin token.</p>`}
  </section>`;
}
