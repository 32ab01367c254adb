import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { verifyWebhook } from '../../src/webhooks/verify.ts';
import { eventually } from './payments.ts';

export const CLI = path.join(PROJECT_ROOT, 'bin', 'sandpay.js');

/** The environment of a CLI run: no SANDPAY_* leaking in from the developer's shell. */
function cliEnv(extra: Record<string, string>): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('SANDPAY_') && v !== undefined)) as Record<string, string>;
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sandpay …` as a process, to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: cliEnv(env), timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** A long-running `sandpay …` (listen) whose output is collected as it comes. */
export class CliProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until the output matches, failing with what it printed so far. */
  async waitFor(re: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeoutMs = 30_000): Promise<RegExpMatchArray> {
    await eventually(async () => ({ out: this[stream], err: this.stderr }), (o) => re.test(o.out), timeoutMs);
    return this[stream].match(re)!;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

export interface Forwarded {
  id: string;
  type: string;
  headers: IncomingHttpHeaders;
  standardOk: boolean;
  simpleOk: boolean;
}

/**
 * A local webhook receiver that checks every request with the `standardwebhooks` package (and the
 * X-Sandpay-Signature scheme with Sandpay's verifier), once `secret` is known.
 */
export class VerifyingReceiver {
  readonly received: Forwarded[] = [];
  secret = '';
  url = '';
  private server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let standardOk = false;
        try {
          new Webhook(this.secret).verify(raw, req.headers as Record<string, string>);
          standardOk = true;
        } catch {
          standardOk = false;
        }
        const simpleOk = verifyWebhook(raw, req.headers, this.secret, { scheme: 'simple' }).valid;
        const body = JSON.parse(raw) as { id: string; type: string };
        this.received.push({ id: body.id, type: body.type, headers: req.headers, standardOk, simpleOk });
        res.writeHead(200).end('ok');
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  waitForCount(n: number, timeoutMs = 30_000): Promise<Forwarded[]> {
    return eventually(async () => this.received, (r) => r.length >= n, timeoutMs);
  }
}
