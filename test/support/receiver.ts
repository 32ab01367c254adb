import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: any;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request with its raw body. `respond`
 * decides each answer (default 200), so tests can fail it on purpose.
 */
export class Receiver {
  readonly received: Received[] = [];
  respond: (req: Received, n: number) => Reply = () => ({ status: 200, body: 'ok' });
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = undefined;
        }
        const r: Received = { path: req.url ?? '/', headers: req.headers, rawBody, body, at: Date.now() };
        this.received.push(r);
        const reply = this.respond(r, this.received.length);
        setTimeout(() => {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body ?? '');
        }, reply.delayMs ?? 0);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  ofType(type: string): Received[] {
    return this.received.filter((r) => r.body?.type === type);
  }
}
