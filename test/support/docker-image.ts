import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.ts';

/**
 * The Dockerfile carried out without Docker (there is no engine on the test machines): each
 * stage gets a folder standing for its WORKDIR, COPY copies from the build context (filtered by
 * .dockerignore) or from an earlier stage's folder, `npm ci` links the packages it would install
 * from this checkout's node_modules (only production ones for --omit=dev), `npm run` runs. What
 * the image would then run is returned, so a test can start it and talk to it.
 */

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  steps: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
    const op = m[1]!.toUpperCase();
    if (op === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(m[2]!)?.[1] ?? String(stages.length), steps: [] });
    else if (!stages.length) throw new Error(`Dockerfile: ${op} before FROM`);
    else stages.at(-1)!.steps.push({ op, args: m[2]! });
  }
  return stages;
}

/** COPY's sources and destination, and the stage it copies from (none: the build context). */
export function parseCopy(args: string): { from: string | null; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
  if (words.some((w) => w.startsWith('--'))) throw new Error(`COPY ${args}: an option this test does not carry out`);
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

/** .dockerignore as Docker reads it: patterns from the context root, later ones win, `!` re-includes. */
export function dockerignore(text: string): (relative: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => ({ include: p.startsWith('!'), re: globToRegExp(p.replace(/^!/, '')) }));
  return (relative) => {
    // A pattern naming a folder leaves out everything in it.
    const parts = relative.split('/');
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    let ignored = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) ignored = !rule.include;
    return ignored;
  };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/^\/+|\/+$/g, '')
    .split(/(\*\*|\*|\?)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part === '?' ? '[^/]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}

export interface BuiltImage {
  /** The runtime stage's WORKDIR. */
  root: string;
  env: Record<string, string>;
  cmd: string[];
  /** HEALTHCHECK's command (shell form), if any. */
  healthcheck: string | null;
  /** Each stage's folder, by stage name. */
  stages: Map<string, string>;
}

const WORKDIR = '/app';

/** Carries out every stage of the Dockerfile under workRoot; the last stage is the image. */
export async function buildImage(workRoot: string): Promise<BuiltImage> {
  const stages = parseDockerfile(readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
  const ignored = dockerignore(readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8'));
  const roots = new Map<string, string>();
  let image: BuiltImage | null = null;
  for (const stage of stages) {
    const root = path.join(workRoot, stage.name);
    mkdirSync(root, { recursive: true });
    roots.set(stage.name, root);
    image = { root, env: {}, cmd: [], healthcheck: null, stages: roots };
    for (const { op, args } of stage.steps) {
      if (op === 'WORKDIR') {
        if (args !== WORKDIR) throw new Error(`WORKDIR ${args}: this test expects ${WORKDIR}`);
      } else if (op === 'COPY') {
        copy(args, root, roots, ignored);
      } else if (op === 'RUN') {
        for (const command of args.split('&&').map((c) => c.trim())) await run(command, root);
      } else if (op === 'ENV') {
        for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) image.env[k!] = v!;
      } else if (op === 'CMD') {
        image.cmd = JSON.parse(args) as string[];
      } else if (op === 'HEALTHCHECK') {
        image.healthcheck = /\bCMD\s+(.*)$/.exec(args)?.[1] ?? null;
      } else if (!['USER', 'EXPOSE', 'LABEL', 'ARG'].includes(op)) {
        throw new Error(`Dockerfile: ${op} is not carried out by this test`);
      }
    }
  }
  return image!;
}

function copy(args: string, root: string, roots: Map<string, string>, ignored: (relative: string) => boolean): void {
  const { from, sources, dest } = parseCopy(args);
  const target = path.resolve(root, dest.startsWith(WORKDIR) ? path.relative(WORKDIR, dest) : dest);
  for (const source of sources) {
    let src: string;
    let filter: ((p: string) => boolean) | undefined;
    if (from) {
      const stageRoot = roots.get(from);
      if (!stageRoot) throw new Error(`COPY --from=${from}: no such stage`);
      if (!source.startsWith(`${WORKDIR}/`)) throw new Error(`COPY --from=${from} ${source}: this test expects a path under ${WORKDIR}`);
      src = path.join(stageRoot, path.relative(WORKDIR, source));
    } else {
      src = path.join(PROJECT_ROOT, source);
      if (ignored(source)) throw new Error(`COPY ${source}: left out of the build context by .dockerignore`);
      filter = (p) => !ignored(path.relative(PROJECT_ROOT, p));
    }
    // A folder's contents go into the destination; a file goes into it when it ends in '/'.
    const to = statSync(src).isDirectory() || !dest.endsWith('/') ? target : path.join(target, path.basename(src));
    cpSync(src, to, { recursive: true, filter });
  }
}

async function run(command: string, root: string): Promise<void> {
  const words = command.split(/\s+/);
  if (words[0] === 'npm' && words[1] === 'ci') return linkPackages(root, new Set(words.filter((w) => w.startsWith('--omit=')).map((w) => w.slice('--omit='.length))));
  if (words[0] === 'npm' && words[1] === 'run') return exec('npm', words.slice(1), root);
  // Anything else prepares the image's own filesystem (the cache, a folder for a volume).
}

/**
 * What `npm ci` installs, as links into this checkout's node_modules: everything, or without
 * the packages package-lock.json marks dev / optional when those are omitted. Run the result
 * with --preserve-symlinks so a package resolves its own imports through these links only.
 */
function linkPackages(root: string, omit: Set<string>): void {
  const modules = path.join(PROJECT_ROOT, 'node_modules');
  if (omit.size === 0) return symlinkSync(modules, path.join(root, 'node_modules'));
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; optional?: boolean; devOptional?: boolean }>;
  };
  for (const [key, meta] of Object.entries(lock.packages)) {
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(key)?.[1];
    if (!name) continue; // the root package, or one nested in another's folder (linked with it)
    if ((omit.has('dev') && meta.dev) || (omit.has('optional') && meta.optional) || (omit.has('dev') && omit.has('optional') && meta.devOptional)) continue;
    const link = path.join(root, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(modules, name), link);
  }
}

export function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')} exited with ${code}:\n${out}`))));
  });
}
