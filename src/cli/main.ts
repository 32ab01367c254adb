import { Command, Option } from 'commander';
import { CliError, SandpayApi } from './api.ts';
import { advance, reset, showClock } from './clock.ts';
import { listen } from './listen.ts';
import { tailLogs } from './logs.ts';
import { getPayment, listPayments, resendEvent } from './resources.ts';
import { WEBHOOK_FACES } from '../contract/faces.ts';
import { listTriggers, trigger } from './trigger.ts';

/** `sandpay`: Sandpay from a terminal, through its public HTTP API only. */
const program = new Command('sandpay')
  .description('Sandpay from your terminal: forward webhooks to localhost, trigger events, resend them')
  .addOption(new Option('--api-key <key>', 'secret key (sk_test_…)').env('SANDPAY_API_KEY'))
  .addOption(new Option('--url <url>', 'where Sandpay runs').env('SANDPAY_URL').default('http://127.0.0.1:3000'))
  .showHelpAfterError();

function api(cmd: Command): SandpayApi {
  const g = cmd.optsWithGlobals<{ apiKey?: string; url: string }>();
  return new SandpayApi({ url: g.url, apiKey: g.apiKey });
}

program
  .command('listen')
  .description('forward your events to a local URL as they happen, signed like real deliveries')
  .requiredOption('--forward-to <url>', 'local webhook URL, e.g. http://localhost:4000/hooks')
  .option('--events <types>', 'comma-separated event types to forward, e.g. payment.*,refund.* (default: all)')
  .addOption(new Option('--format <format>', 'body format').choices(['sandpay', ...WEBHOOK_FACES.map((f) => f.format)]).default('sandpay'))
  .option('--secret <whsec>', 'sign with this whsec_ secret instead of a new one per session')
  .action(async (opts: { forwardTo: string; events?: string; format: string; secret?: string }, cmd: Command) => {
    const stop = new AbortController();
    const quit = () => stop.abort();
    process.once('SIGINT', quit);
    process.once('SIGTERM', quit);
    await listen(api(cmd), { ...opts, signal: stop.signal, out: process.stdout, err: process.stderr });
    process.stderr.write('Stopped.\n');
  });

program
  .command('trigger')
  .description('create what makes an event happen, e.g. payment.failed, and print the ids')
  .argument('[event-type]')
  .option('--list', 'show the supported event types')
  .addOption(new Option('--format <format>', "name events as this webhook format does (stripe: payment_intent.succeeded)").choices(['sandpay', ...WEBHOOK_FACES.map((f) => f.format)]).default('sandpay'))
  .action(async (type: string | undefined, opts: { list?: boolean; format: string }, cmd: Command) => {
    if (opts.list) return listTriggers(process.stdout, opts.format);
    if (!type) throw new CliError('Name an event type, e.g. `sandpay trigger payment.failed` (see --list)', { exitCode: 2 });
    await trigger(api(cmd), type, process.stdout, opts.format);
  });

program
  .command('check-handler')
  .description("grade your webhook handler: every event signed, duplicates, out of order, unknown types, and forgeries it must refuse")
  .requiredOption('--forward-to <url>', 'your webhook URL, e.g. http://localhost:4000/hooks')
  .addOption(new Option('--format <format>', 'the deliveries your handler expects').choices(['native', 'sandpay', ...WEBHOOK_FACES.map((f) => f.format)]).default('native'))
  .requiredOption('--secret <secret>', 'the secret your handler verifies with (whsec_… for native and stripe)')
  .option('--timeout <ms>', 'how long each delivery waits for an answer, as Sandpay does (WEBHOOK_TIMEOUT_MS)', '10000')
  .option('--json', 'print the graded cases as JSON')
  .action(async (opts: { forwardTo: string; format: string; secret: string; timeout: string; json?: boolean }) => {
    // Loaded only here: the suite's samples and the delivery client are no cost to the other commands' start.
    const { runCheckHandler } = await import('./check-handler.ts');
    // Non-zero for CI when any case failed; the table says which and why.
    if (!(await runCheckHandler(opts, process.stdout))) process.exit(1);
  });

const events = program.command('events').description('events');
events
  .command('resend')
  .description('deliver an existing event again (same event id, so the same webhook-id)')
  .argument('<event-id>')
  .option('--endpoint <we_id>', 'only to this webhook endpoint')
  .action((id: string, opts: { endpoint?: string }, cmd: Command) => resendEvent(api(cmd), id, opts.endpoint, process.stdout));

const payments = program.command('payments').description('payments');
payments
  .command('list')
  .description('newest payments first')
  .option('--limit <n>', '1 to 100', '10')
  .option('--status <status>', 'only payments in this status')
  .option('--starting-after <pay_id>', 'the page after this payment (the command printed after a page says which)')
  .action((opts: { limit: string; status?: string; startingAfter?: string }, cmd: Command) => {
    const url = cmd.getOptionValueSourceWithGlobals('url') === 'cli' ? cmd.optsWithGlobals<{ url: string }>().url : undefined;
    return listPayments(api(cmd), { ...opts, url }, process.stdout);
  });
payments
  .command('get')
  .argument('<payment-id>')
  .action((id: string, _opts: unknown, cmd: Command) => getPayment(api(cmd), id, process.stdout));

const clock = program
  .command('clock')
  .description("your tenant's clock: show it (no subcommand), advance it, reset it (README: Time travel)")
  .action((_opts: unknown, cmd: Command) => showClock(api(cmd), process.stdout));
clock
  .command('advance')
  .description('move the clock forward, e.g. 7d, 90m, 1d12h, or to a time (2030-01-01T00:00:00Z); waits until what fell due has run')
  .argument('<by-or-time>')
  .option('--no-wait', 'return once the advance has started')
  .action((spec: string, opts: { wait: boolean }, cmd: Command) => advance(api(cmd), spec, process.stdout, opts));
clock
  .command('reset')
  .description('back to real time (only before the tenant has any object)')
  .action((_opts: unknown, cmd: Command) => reset(api(cmd), process.stdout));

program
  .command('logs')
  .description('request logs')
  .command('tail')
  .description('print your API requests as Sandpay logs them')
  .option('--status <status>', 'only this status (404) or class (4xx)')
  .option('--method <method>', 'only this method')
  .option('--path <prefix>', 'only paths starting with this, e.g. /api/v1/payments')
  .action(async (opts: { status?: string; method?: string; path?: string }, cmd: Command) => {
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await tailLogs(api(cmd), { ...opts, intervalMs: 1000, signal: stop.signal, out: process.stdout });
  });

try {
  await program.parseAsync();
  process.exit(0);
} catch (err) {
  if (!(err instanceof CliError)) throw err;
  process.stderr.write(`sandpay: ${err.message}\n`);
  process.exit(err.exitCode);
}
