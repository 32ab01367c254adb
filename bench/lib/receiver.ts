import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fast webhook receiver on 127.0.0.1 that notes, per delivery, the time from the event's
 * created_at (written in the committing transaction) to its arrival here.
 */
export class LatencyReceiver {
  readonly latenciesMs: number[] = [];
  readonly ids = new Set<string>();
  received = 0;
  url = '';
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; created_at: string };
        this.received++;
        this.ids.add(event.id);
        this.latenciesMs.push(now - Date.parse(event.created_at));
      } catch {
        // not an event; ignore
      }
      res.writeHead(200).end('ok');
    });
  });

  async start(): Promise<this> {
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  reset(): void {
    this.latenciesMs.length = 0;
    this.ids.clear();
    this.received = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
