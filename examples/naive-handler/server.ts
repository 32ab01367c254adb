/**
 * node examples/naive-handler/server.ts [--port 4001]
 *   A deliberately naive webhook handler, for `sandpay check-handler` to fail: it parses whatever
 *   JSON arrives and answers 200, never checking a signature. Anyone who can reach it can tell it
 *   a payment succeeded. Do not copy it; scripts/webhook-receiver.ts is the one that verifies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4001' }, host: { type: 'string', default: '127.0.0.1' } } });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let event: { type?: string; event?: string };
    try {
      event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end('not JSON');
      return;
    }
    // The mistake: the body is trusted as it is, signed or not.
    console.log(`took ${event.type ?? event.event ?? '?'}`);
    res.writeHead(200).end('ok');
  });
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address() as AddressInfo;
  console.log(`Naive handler on http://${values.host}:${port}/ (pid ${process.pid}; Ctrl-C to stop)`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
