import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { eventually } from './payments.ts';

/** Webhook handlers for the handler check: the project's own receiver, the naive example, one that never answers. */

export interface RunningHandler {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A handler script started with node on a port it picks; resolves once it prints its URL. */
async function startScript(script: string, args: string[]): Promise<RunningHandler> {
  const child: ChildProcess = spawn(process.execPath, [path.join(PROJECT_ROOT, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [url] = await eventually(async () => out.match(/http:\/\/127\.0\.0\.1:\d+\//) ?? [], (m) => m.length === 1 || child.exitCode !== null);
  if (!url) throw new Error(`${script} did not start: ${out}`);
  return {
    url: `${url}hooks`,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `npm run webhook-receiver -- --port <port> --secret <secret> --format <format>` (the script itself, without npm's shell). */
export const startReceiver = (secret: string, format: string, port = 0) =>
  startScript('scripts/webhook-receiver.ts', ['--port', String(port), '--secret', secret, '--format', format]);

/** examples/naive-handler: takes every JSON body, signed or not. */
export const startNaiveHandler = (port = 0) => startScript('examples/naive-handler/server.ts', ['--port', String(port)]);

/** A handler that reads the request and never answers: every delivery ends at the client's timeout. */
export async function startSilentHandler(): Promise<RunningHandler & { requests(): number }> {
  let requests = 0;
  const server = createServer((req) => {
    requests++;
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    output: () => '',
    requests: () => requests,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The cases a handler that takes unsigned bodies fails, in a format whose signature carries a timestamp or not. */
export const FORGERY_CASES = (timestamped: boolean) =>
  ['forged_signature', 'tampered_body', 'missing_signature', ...(timestamped ? ['stale_timestamp'] : []), 'other_secret'];
