import { CliError, type SandpayApi } from './api.ts';

const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9A-Za-z]{20}$`);

function checkId(value: string, prefix: string, what: string): string {
  if (!ID(prefix).test(value)) throw new CliError(`${JSON.stringify(value)} is not a ${what} id (${prefix}_…)`, { exitCode: 2 });
  return value;
}

/** `sandpay events resend <evt_id> [--endpoint we_…]`: the same event (same webhook-id) delivered again. */
export async function resendEvent(api: SandpayApi, eventId: string, endpointId: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  checkId(eventId, 'evt', 'event');
  if (endpointId !== undefined) checkId(endpointId, 'we', 'webhook endpoint');
  const res = await api.post(`/events/${eventId}/resend`, endpointId === undefined ? {} : { endpoint_id: endpointId });
  out.write(`Resending ${res.event_id} (${res.deliveries[0]?.event_type ?? 'event'}) as ${res.deliveries.length} new ${res.deliveries.length === 1 ? 'delivery' : 'deliveries'}:\n`);
  for (const d of res.deliveries) out.write(`  ${d.id}  -> ${d.url}\n`);
}

export async function listPayments(api: SandpayApi, opts: { limit: string; status?: string }, out: NodeJS.WritableStream): Promise<void> {
  const page = await api.get('/payments', { limit: opts.limit, status: opts.status });
  for (const p of page.data) {
    out.write(`${p.id}  ${String(p.status).padEnd(18)} ${String(p.amount).padStart(10)} ${p.currency}  ${String(p.method).padEnd(10)} ${p.created_at}\n`);
  }
  if (page.data.length === 0) out.write('No payments.\n');
  else if (page.has_more) out.write(`… more: sandpay payments list --limit ${Math.min(100, Number(opts.limit) * 2)}\n`);
}

export async function getPayment(api: SandpayApi, id: string, out: NodeJS.WritableStream): Promise<void> {
  out.write(`${JSON.stringify(await api.get(`/payments/${checkId(id, 'pay', 'payment')}`), null, 2)}\n`);
}
