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
  durationSec: number;
  overallRate?: number;
}

export interface LoadResult extends Summary {
  connections: number;
  non2xx: number;
  errors: number;
}

/**
 * Drives one route with autocannon from this process and records every response time
 * (autocannon's own summary has no p95).
 */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.durationSec,
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
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  });
  return {
    ...summarise(latencies, opts.durationSec),
    connections: opts.connections,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
