import { spawn, type ChildProcess } from 'node:child_process';
import { PROJECT_ROOT } from '../../src/paths.ts';

export interface SandpayProcess {
  child: ChildProcess;
  url: string | null;
  stop(): Promise<void>;
}

/**
 * Runs Sandpay as `node app.ts` in its own process (the load generator never shares its event
 * loop) and resolves once it prints its banner.
 */
export async function startSandpay(env: Record<string, string>, nodeArgs: string[] = []): Promise<SandpayProcess> {
  const child = spawn(process.execPath, [...nodeArgs, 'app.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string | null>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /Sandpay is running at (http:\/\/\S+|\(worker only)/.exec(out);
      if (m) resolve(m[1]!.startsWith('http') ? m[1]! : null);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`Sandpay exited (${code}) before serving:\n${out}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    child,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
