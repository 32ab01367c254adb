import autocannon from 'autocannon';
import { summarise, type Summary } from './stats.ts';

export interface LoadOptions {
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** A fresh body and headers per request (unique Idempotency-Keys). */
  next?: () => { body?: string; headers?: Record<string, string> };
  connections: number;
  /** Run this long, or (with `amount`) until that many requests have been answered. */
  durationSec: number;
  amount?: number;
  overallRate?: number;
}

export interface LoadResult extends Summary {
  connections: number;
  non2xx: number;
  errors: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Wall-clock seconds the run took. */
  seconds: number;
}

/**
 * Drives one route with autocannon from this process and records every response time
 * (autocannon's own summary has no p95).
 */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.durationSec }),
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    requests: [
      {
        method: opts.method ?? 'GET',
        path: opts.path,
        headers: opts.headers,
        ...(opts.next
          ? {
              setupRequest: (req: any) => {
                const n = opts.next!();
                return { ...req, ...(n.body !== undefined ? { body: n.body } : {}), headers: { ...req.headers, ...n.headers } };
              },
            }
          : {}),
      },
    ],
    }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  return {
    ...summarise(latencies, opts.amount ? seconds : opts.durationSec),
    statuses,
    seconds: Math.round(seconds * 100) / 100,
    connections: opts.connections,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
