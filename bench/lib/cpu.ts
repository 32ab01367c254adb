import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * CPU time from /proc (utime + stime, fields 14 and 15 of /proc/PID/stat), in milliseconds:
 * the API's process and its descendants, and the Postgres backends whose process title names
 * the bench database. Steadier than req/s on a shared machine: other work slows a request
 * down but hardly changes the CPU it costs.
 */
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || 100);

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
  cmdline: string;
}

function procs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces: split after its closing parenthesis.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

export interface CpuSample {
  /** ms of CPU of the processes rooted at each pid in `roots`. */
  app: number;
  /** ms of CPU of the database's backends (each backend process, by title). */
  pg: number;
  /** Per backend pid, so a backend that exits between two samples is not counted negative. */
  backends: Map<number, number>;
}

export function sampleCpu(roots: number[], database: string): CpuSample {
  const all = procs();
  const children = new Map<number, Proc[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  let app = 0;
  const stack = all.filter((p) => roots.includes(p.pid));
  while (stack.length) {
    const p = stack.pop()!;
    app += p.ticks;
    stack.push(...(children.get(p.pid) ?? []));
  }
  const backends = new Map<number, number>();
  let pg = 0;
  for (const p of all) {
    if (p.cmdline.startsWith('postgres: ') && p.cmdline.includes(` ${database} `)) {
      backends.set(p.pid, p.ticks * TICK_MS);
      pg += p.ticks;
    }
  }
  return { app: app * TICK_MS, pg: pg * TICK_MS, backends };
}

export interface CpuPer {
  app_ms: number;
  pg_ms: number;
  total_ms: number;
}

/** CPU per unit of work between two samples (backends that started meanwhile count from 0). */
export function cpuPer(before: CpuSample, after: CpuSample, units: number): CpuPer {
  let pg = 0;
  for (const [pid, ms] of after.backends) pg += ms - (before.backends.get(pid) ?? 0);
  const round = (n: number) => Math.round((n / Math.max(1, units)) * 100) / 100;
  return { app_ms: round(after.app - before.app), pg_ms: round(pg), total_ms: round(after.app - before.app + pg) };
}
