import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.ts';

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const row = (cells: unknown[]) => `| ${cells.map((c) => String(c ?? '')).join(' | ')} |`;

/** Rewrites the generated block of bench/README.md; the hand-written analysis around it stays. */
export function writeReport(r: any): void {
  const file = path.join(PROJECT_ROOT, 'bench', 'README.md');
  const m = r.machine;
  const lines = [
    START,
    `Run ${m.date} on ${m.cores} × ${m.cpu}, ${m.memory_gb} GB, Node ${m.node}, PostgreSQL ${m.postgres} (${m.database}).`,
    '',
    ...(r.create
      ? [
          '**Create** `POST /api/v1/payments` (card that succeeds, one velocity and one amount rule, one webhook endpoint), a fixed number of creates per row; CPU per create = API process + the database\'s backends, from /proc:',
          '',
          row(['connections', 'creates', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'CPU API ms', 'CPU Postgres ms', 'CPU total ms', 'pg baseline/s', 'create ÷ pg']),
          row(Array(12).fill('---')),
          ...r.create.map((c: any, i: number) => row([c.connections, c.count, c.per_second, c.p50_ms, c.p95_ms, c.p99_ms, c.non2xx + c.errors, c.cpu_per_create.app_ms, c.cpu_per_create.pg_ms, c.cpu_per_create.total_ms,
            r.baseline?.pg[i]?.per_second ?? 'n/a', r.baseline?.ratio_create_to_pg[i]?.ratio ?? 'n/a'])),
          '',
        ]
      : []),
    ...(r.stripe_create
      ? [
          '**Create through the Stripe face** `POST /v1/payment_intents` (stripe-node\'s form body: amount, currency, `payment_method=pm_card_visa`, `confirm=true`, metadata; the same tenant, rules and endpoint), beside the native create above:',
          '',
          row(['connections', 'creates', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU API ms', 'CPU Postgres ms', 'CPU total ms', 'CPU ÷ native create']),
          row(Array(10).fill('---')),
          ...r.stripe_create.map((c: any, i: number) => row([c.connections, c.count, c.per_second, c.p50_ms, c.p99_ms, c.non2xx + c.errors, c.cpu_per_create.app_ms, c.cpu_per_create.pg_ms, c.cpu_per_create.total_ms,
            r.create?.[i] ? Math.round((c.cpu_per_create.total_ms / r.create[i].cpu_per_create.total_ms) * 100) / 100 : 'n/a'])),
          '',
        ]
      : []),
    ...(r.round_trips ? [`**Round trips per create** (recording \`Db\`, warm process): ${r.round_trips.per_create}: ${r.round_trips.statements.map((s: string) => s.split(' ').slice(0, 3).join(' ')).join('; ')}.`, ''] : []),
    ...(r.round_trips ? [`**Socket writes per create**: ${r.round_trips.socket_writes_per_create ?? 'n/a'} (the pool's CorkingSocket, one per round trip); **commits per create** (pg_stat_database, every commit of the database over the create rows): ${r.commits_per_create ?? 'n/a'}.`, ''] : []),
    ...(r.floor
      ? [
          '**Floor** (same run): the recorded create transaction replayed through Sandpay\'s Db in one prepared pipeline, and a bare `node:http` JSON answer, each in a process of its own; CPU per unit (process + the database\'s backends):',
          '',
          row(['connections', 'pipeline ms (client + Postgres)', 'pipeline tx/s', 'node:http ms', 'floor ms', 'create ms', 'create ÷ floor']),
          row(Array(7).fill('---')),
          ...r.floor.map((f: any) => {
            const c = r.create?.find((x: any) => x.connections === f.connections);
            return row([f.connections, `${f.pipeline.total_ms} (${f.pipeline.app_ms} + ${f.pipeline.pg_ms})`, f.pipeline_per_second, f.http.total_ms, f.total_ms, c?.cpu_per_create.total_ms ?? 'n/a',
              c ? Math.round((c.cpu_per_create.total_ms / f.total_ms) * 100) / 100 : 'n/a']);
          }),
          '',
        ]
      : []),
    ...(r.scale
      ? [
          `**Scale**: one tenant with ${Number(r.scale.rows).toLocaleString('en')} payments (and an event each, over a year; seeded in ${r.scale.seed_seconds} s) against one with a handful, ${r.scale.requests_each} requests each on one connection (goal: big ÷ empty ≤ 2):`,
          '',
          row(['request', 'empty p50 ms', 'empty p99 ms', 'big p50 ms', 'big p99 ms', 'big ÷ empty (p50)']),
          row(Array(6).fill('---')),
          ...Object.entries(r.scale).filter(([, v]: [string, any]) => v && typeof v === 'object' && 'big' in v)
            .map(([k, v]: [string, any]) => row([k.replaceAll('_', ' '), v.empty.p50_ms, v.empty.p99_ms, v.big.p50_ms, v.big.p99_ms, v.p50_ratio])),
          '',
        ]
      : []),
    ...(r.tenants
      ? [
          '**64 connections, one tenant vs eight** (interleaved, twice):',
          '',
          row(['run', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU total ms']),
          row(Array(6).fill('---')),
          ...Object.entries(r.tenants).map(([k, c]: [string, any]) => row([k.replaceAll('_', ' '), c.per_second, c.p50_ms, c.p99_ms, c.non2xx + c.errors, c.cpu_per_create.total_ms])),
          '',
        ]
      : []),
    ...(r.stay_up ? [`**Stay-up**, 256 connections for ${r.stay_up.seconds} s: statuses ${JSON.stringify(r.stay_up.statuses)}, ${r.stay_up.errors} errors/timeouts, p50 ${r.stay_up.p50_ms} ms, p99 ${r.stay_up.p99_ms} ms, max ${r.stay_up.max_ms} ms.`, ''] : []),
    ...(r.read
      ? [
          `**Read** (${r.read.rows.toLocaleString('en')} payments in one tenant, 8 connections):`,
          '',
          row(['request', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms per request (API + Postgres)']),
          row(Array(5).fill('---')),
          ...['get_by_id', 'list_page_1', 'list_page_2000'].map((k) => row([k.replaceAll('_', ' '), r.read[k].per_second, r.read[k].p50_ms, r.read[k].p99_ms, r.read[k].cpu_per_request?.total_ms ?? '—'])),
          '',
          `Plans: page 1 uses ${r.read.page_1_plan.index} (${r.read.page_1_plan.execution_ms} ms, ${r.read.page_1_plan.shared_hit_blocks} buffers); page 2,000 uses ${r.read.page_2000_plan.index} (${r.read.page_2000_plan.execution_ms} ms, ${r.read.page_2000_plan.shared_hit_blocks} buffers).`,
          '',
        ]
      : []),
    ...(r.idempotency_storm ? [`**Idempotency storm**: ${r.idempotency_storm.requests} concurrent creates over ${r.idempotency_storm.keys} keys → ${r.idempotency_storm.payments_created} payments in ${r.idempotency_storm.seconds} s; statuses ${JSON.stringify(r.idempotency_storm.statuses)}.`, ''] : []),
    ...(r.webhooks
      ? [
          '**Webhooks** (event commit → receiver on 127.0.0.1):',
          '',
          row(['workers wake by', 'events/s target', 'delivered', 'deliveries/s', 'duplicates', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'to fetch p50/p95/p99', 'fetch to recorded p50/p95/p99', 'CPU ms per event']),
          row(Array(12).fill('---')),
          ...Object.entries(r.webhooks).map(([k, w]: [string, any]) => row([
            k === 'listen_notify' ? 'LISTEN/NOTIFY' : 'polling (2 s)', w.events_per_second_target, `${w.delivered}/${w.events_sent}`, w.deliveries_per_second, w.duplicates,
            w.latency.p50_ms, w.latency.p95_ms, w.latency.p99_ms, w.latency.max_ms, w.stages_ms?.to_fetch.join(' / ') ?? '—', w.stages_ms?.to_recorded.join(' / ') ?? '—', w.cpu_per_event?.total_ms ?? '—',
          ])),
          '',
          'To fetch: from the event\'s created_at (its transaction\'s start) to a worker fetching its job; fetch to recorded: claim, POST and the attempt\'s row. CPU per event: the API (which also creates the payments, two events each), the worker and Postgres.',
          '',
        ]
      : []),
    ...(r.dlq_replay ? [`**DLQ replay**: ${r.dlq_replay.requeued} dead deliveries re-queued in ${r.dlq_replay.queue_seconds} s, all ${r.dlq_replay.delivered} delivered after ${r.dlq_replay.seconds_until_all_delivered} s (${r.dlq_replay.deliveries_per_second}/s); CPU per delivery ${r.dlq_replay.cpu_per_delivery.total_ms} ms (worker + API ${r.dlq_replay.cpu_per_delivery.app_ms}, Postgres ${r.dlq_replay.cpu_per_delivery.pg_ms}; the receiver not counted).`, ''] : []),
    ...(r.fairness
      ? [
          `**Fairness**: tenant X floods \`GET /payments\` on ${r.fairness.flood_connections} connections past its limit (${r.fairness.x.non2xx} × 429, ${r.fairness.x.per_second} answers/s) while tenant Y reads on 1 connection: Y's p99 ${r.fairness.y_idle.p99_ms} ms alone, ${r.fairness.y_during_flood.p99_ms} ms during the flood (× ${r.fairness.p99_ratio}; target ≤ × 3), ${r.fairness.y_during_flood.non2xx + r.fairness.y_during_flood.errors} failed.`,
          '',
        ]
      : []),
    `**Memory** (API process RSS): ${r.memory.rss_idle_mb} MB idle, ${r.memory.rss_after_warmup_mb ?? 'n/a'} MB after the warm-up, ${r.memory.rss_after_create_mb} MB after the create runs (+${r.memory.growth_after_warmup ?? 'n/a'} over the warm-up; goal ≤ 0.2).`,
    END,
  ];
  const block = lines.join('\n');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark\n\n${START}\n${END}\n`;
  const next = current.includes(START) ? current.replace(new RegExp(`${START}[\\s\\S]*${END}`), block) : `${current}\n${block}\n`;
  writeFileSync(file, next);
}
