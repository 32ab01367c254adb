/**
 * `node bench/lib/flood.ts <url> <bearer key> <connections> <seconds>`: hammers one URL from its
 * own process (so the flood never shares an event loop with the client being measured) and
 * prints {per_second, non2xx, total, errors} as JSON.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export interface FloodResult {
  per_second: number;
  non2xx: number;
  total: number;
  errors: number;
}

/** Runs the flood in a child process; resolves when it is over. */
export function flood(url: string, key: string, connections: number, seconds: number): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), url, key, String(connections), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as FloodResult) : reject(new Error(`flood exited ${code}`))));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, key, connections, seconds] = process.argv.slice(2);
  const r = await autocannon({ url: url!, connections: Number(connections), duration: Number(seconds), headers: { authorization: `Bearer ${key}` } });
  process.stdout.write(JSON.stringify({ per_second: r.requests.average, non2xx: r.non2xx, total: r.requests.total, errors: r.errors + r.timeouts }));
}
