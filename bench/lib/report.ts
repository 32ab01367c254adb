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
    '**Create** `POST /api/v1/payments` (card that succeeds, one velocity and one amount rule, one webhook endpoint), vs the same statements through `pg` and `pgbench`:',
    '',
    row(['connections', 'create req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'non-2xx', 'pg baseline/s', 'pg p99 ms', 'pgbench tps', 'create ÷ pg']),
    row(Array(10).fill('---')),
    ...r.create.map((c: any, i: number) => {
      const b = r.baseline.pg[i];
      const pb = Array.isArray(r.baseline.pgbench) ? r.baseline.pgbench[i]?.per_second : 'n/a';
      return row([c.connections, c.per_second, c.p50_ms, c.p95_ms, c.p99_ms, c.non2xx + c.errors, b.per_second, b.p99_ms, pb, r.baseline.ratio_create_to_pg[i].ratio]);
    }),
    '',
    `One create = ${r.baseline.statements_per_create} statements: ${r.baseline.transactions.join('; ')}.`,
    '',
    `**Read** (${r.read.rows.toLocaleString('en')} payments in one tenant, 8 connections):`,
    '',
    row(['request', 'req/s', 'p50 ms', 'p99 ms']),
    row(Array(4).fill('---')),
    ...['get_by_id', 'list_page_1', 'list_page_2000'].map((k) => row([k.replaceAll('_', ' '), r.read[k].per_second, r.read[k].p50_ms, r.read[k].p99_ms])),
    '',
    `Plans: page 1 uses ${r.read.page_1_plan.index} (${r.read.page_1_plan.execution_ms} ms, ${r.read.page_1_plan.shared_hit_blocks} buffers); page 2,000 uses ${r.read.page_2000_plan.index} (${r.read.page_2000_plan.execution_ms} ms, ${r.read.page_2000_plan.shared_hit_blocks} buffers).`,
    '',
    `**Idempotency storm**: ${r.idempotency_storm.requests} concurrent creates over ${r.idempotency_storm.keys} keys → ${r.idempotency_storm.payments_created} payments in ${r.idempotency_storm.seconds} s; statuses ${JSON.stringify(r.idempotency_storm.statuses)}.`,
    '',
    '**Webhooks** (event commit → receiver on 127.0.0.1):',
    '',
    row(['workers wake by', 'events/s target', 'delivered', 'deliveries/s', 'duplicates', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']),
    row(Array(9).fill('---')),
    ...Object.entries(r.webhooks).map(([k, w]: [string, any]) => row([k === 'listen_notify' ? 'LISTEN/NOTIFY' : 'polling (2 s)', w.events_per_second_target, `${w.delivered}/${w.events_sent}`, w.deliveries_per_second, w.duplicates, w.latency.p50_ms, w.latency.p95_ms, w.latency.p99_ms, w.latency.max_ms])),
    '',
    `**DLQ replay**: ${r.dlq_replay.requeued} dead deliveries re-queued in ${r.dlq_replay.queue_seconds} s, all ${r.dlq_replay.delivered} delivered after ${r.dlq_replay.seconds_until_all_delivered} s.`,
    '',
    `**Memory** (API process RSS): ${r.memory.rss_idle_mb} MB idle, ${r.memory.rss_after_create_mb} MB after the create runs.`,
    END,
  ];
  const block = lines.join('\n');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmark\n\n${START}\n${END}\n`;
  const next = current.includes(START) ? current.replace(new RegExp(`${START}[\\s\\S]*${END}`), block) : `${current}\n${block}\n`;
  writeFileSync(file, next);
}
