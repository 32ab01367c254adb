import { WEBHOOK_FACES } from '../contract/faces.ts';
import { checkHandler } from '../webhooks/check.ts';
import type { CheckCase, CheckReport } from '../webhooks/check-grade.ts';
import { faceOf, NATIVE_FACE } from '../webhooks/faces.ts';
import { CliError } from './api.ts';
import { forwardTarget } from './listen.ts';

export interface CheckHandlerOptions {
  forwardTo: string;
  format: string;
  secret: string;
  timeout: string;
  json?: boolean | undefined;
}

/** The account a local check's Razorpay bodies name: no tenant is involved. */
const LOCAL_TENANT = 'ten_checkhandler';

const answerOf = (c: CheckCase) =>
  !c.answer ? '-' : c.answer.status_code !== null ? `${c.answer.status_code} in ${c.answer.latency_ms} ms` : c.answer.error === 'timeout' ? `timeout (${c.answer.latency_ms} ms)` : 'no answer';

const VERDICTS = { pass: 'PASS', fail: 'FAIL', not_applicable: 'N/A' } as const;

/** The report as a table: case, sent, answer, verdict, why; then a one-line summary. */
export function formatReport(r: CheckReport): string {
  const rows = [['CASE', 'SENT', 'ANSWER', 'VERDICT', 'WHY'], ...r.cases.map((c) => [c.case, c.sent, answerOf(c), VERDICTS[c.verdict], c.why])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd());
  const { pass, fail, not_applicable: na } = r.summary;
  lines.push('', `${r.passed ? 'PASSED' : 'FAILED'}: ${pass} passed, ${fail} failed${na ? `, ${na} not applicable` : ''} (${r.format} format, ${r.url}, timeout ${r.timeout_ms} ms)`);
  return `${lines.join('\n')}\n`;
}

/**
 * `sandpay check-handler`: runs the handler check here, not through Sandpay's API: the secret is
 * on the command line already and the handler is on this machine, so no API key, no endpoint and
 * no running Sandpay are needed (POST /api/v1/webhook-endpoints/:id/check runs the same suite
 * from the server). Loopback and private targets are allowed, as for `sandpay listen`. Resolves
 * to whether every case passed.
 */
export async function runCheckHandler(opts: CheckHandlerOptions, out: NodeJS.WritableStream): Promise<boolean> {
  const url = forwardTarget(opts.forwardTo);
  const timeoutMs = Number(opts.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) throw new CliError(`Invalid --timeout ${JSON.stringify(opts.timeout)}: milliseconds, 1 to 60000`, { exitCode: 2 });
  if (!opts.secret.trim()) throw new CliError('--secret is empty: pass the secret your handler verifies with', { exitCode: 2 });
  const face = faceOf(WEBHOOK_FACES, opts.format === 'native' ? NATIVE_FACE.format : opts.format);
  const report = await checkHandler({ face, url: url.href, secret: opts.secret, tenantId: LOCAL_TENANT, timeoutMs, allowPrivate: true });
  out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.passed;
}
