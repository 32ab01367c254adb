import { setTimeout as delay } from 'node:timers/promises';
import { CliError, type SandpayApi } from './api.ts';

interface Clock {
  time: string;
  offset_seconds: number;
  status: 'ready' | 'advancing';
  advancing_to: string | null;
}

/** "3d 4h 5m" from seconds ("real time" for none). */
export function describeOffset(seconds: number): string {
  if (seconds === 0) return 'real time';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return `${parts.join(' ')} ahead of real time`;
}

const line = (c: Clock) =>
  `${c.time}  ${c.status}${c.advancing_to ? ` (to ${c.advancing_to})` : ''}  ${describeOffset(c.offset_seconds)}\n`;

/** `sandpay clock`: the tenant's clock. */
export async function showClock(api: SandpayApi, out: NodeJS.WritableStream): Promise<void> {
  out.write(line(await api.get('/test-clock')));
}

/**
 * `sandpay clock advance 7d` (or an ISO time): starts the advance, then waits (bounded) until the
 * clock is ready again, so what fell due has run when the command returns.
 */
export async function advance(api: SandpayApi, spec: string, out: NodeJS.WritableStream, opts: { wait: boolean; timeoutMs?: number }): Promise<void> {
  const body = /^\d{4}-\d{2}-\d{2}/.test(spec) ? { to: spec } : { by: spec };
  const started: Clock = await api.post('/test-clock/advance', body);
  out.write(`Advancing to ${started.advancing_to}…\n`);
  if (!opts.wait) return;
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const now: Clock = await api.get('/test-clock');
    if (now.status === 'ready') return void out.write(line(now));
    if (Date.now() > deadline) throw new CliError('The clock is still advancing after two minutes: is a Sandpay worker running (SANDPAY_ROLE all or worker)? `sandpay clock` shows it');
    await delay(250);
  }
}

/** `sandpay clock reset`: back to real time (only before the tenant has objects). */
export async function reset(api: SandpayApi, out: NodeJS.WritableStream): Promise<void> {
  out.write(line(await api.post('/test-clock/reset', {})));
}
