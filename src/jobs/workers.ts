import type { AppDeps } from '../http/app.ts';

export interface Workers {
  stop(): Promise<void>;
}

/** Registers every pg-boss worker and schedule this process runs. */
export async function startWorkers(deps: AppDeps): Promise<Workers> {
  const { boss } = deps;
  const names: string[] = [];
  return {
    async stop() {
      await Promise.all(names.map((n) => boss.offWork(n, { wait: true })));
    },
  };
}
