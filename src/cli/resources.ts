import { idBodyPattern } from '../ids.ts';
import { CliError, type SandpayApi } from './api.ts';

// A payment id is 14 characters after pay_ (20 for one made before ids took Razorpay's length).
const ID = (prefix: string) => new RegExp(prefix === 'pay' ? `^pay_${idBodyPattern('payment')}$` : `^${prefix}_[0-9A-Za-z]{20}$`);

function checkId(value: string, prefix: string, what: string): string {
  if (!ID(prefix).test(value)) throw new CliError(`${JSON.stringify(value)} is not a ${what} id (${prefix}_…)`, { exitCode: 2 });
  return value;
}

/** `sandpay events resend <evt_id> [--endpoint we_…]`: the same event (same webhook-id) delivered again. */
export async function resendEvent(api: SandpayApi, eventId: string, endpointId: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  checkId(eventId, 'evt', 'event');
  if (endpointId !== undefined) checkId(endpointId, 'we', 'webhook endpoint');
  const res = await api.post(`/events/${eventId}/resend`, endpointId === undefined ? {} : { endpoint_id: endpointId });
  // The names it goes out under: its type, and its names in the endpoints' faces (one event may be several there).
  const names = [...new Set(res.deliveries.map((d: { event_type: string }) => d.event_type))].join(', ') || 'event';
  out.write(`Resending ${res.event_id} (${names}) as ${res.deliveries.length} new ${res.deliveries.length === 1 ? 'delivery' : 'deliveries'}:\n`);
  for (const d of res.deliveries) out.write(`  ${d.id}  -> ${d.url}\n`);
}

export interface ListPaymentsOptions {
  limit: string;
  status?: string | undefined;
  startingAfter?: string | undefined;
  /** --url when it was given on the command line (not from SANDPAY_URL), to repeat it. Never the key. */
  url?: string | undefined;
}

/**
 * The command that shows the next page: the same filters, and the cursor after this page's last
 * payment. Values are shell-quoted when they need it, so the line can be pasted as it is.
 */
export function nextPageCommand(opts: ListPaymentsOptions, lastId: string): string {
  const quote = (v: string) => (/^[\w.@%+=:,/-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  const args = [...(opts.status !== undefined ? ['--status', opts.status] : []), '--limit', opts.limit, '--starting-after', lastId];
  return `sandpay ${opts.url !== undefined ? `--url ${quote(opts.url)} ` : ''}payments list ${args.map(quote).join(' ')}`;
}

export async function listPayments(api: SandpayApi, opts: ListPaymentsOptions, out: NodeJS.WritableStream): Promise<void> {
  if (opts.startingAfter !== undefined) checkId(opts.startingAfter, 'pay', 'payment');
  const page = await api.get('/payments', { limit: opts.limit, status: opts.status, starting_after: opts.startingAfter });
  for (const p of page.data) {
    out.write(`${p.id}  ${String(p.status).padEnd(18)} ${String(p.amount).padStart(10)} ${p.currency}  ${String(p.method).padEnd(10)} ${p.created_at}\n`);
  }
  if (page.data.length === 0) out.write('No payments.\n');
  else if (page.has_more) out.write(`… more: ${nextPageCommand(opts, page.data[page.data.length - 1].id)}\n`);
}

export async function getPayment(api: SandpayApi, id: string, out: NodeJS.WritableStream): Promise<void> {
  out.write(`${JSON.stringify(await api.get(`/payments/${checkId(id, 'pay', 'payment')}`), null, 2)}\n`);
}
