import type { JobDefinition } from '../jobs/workers.ts';
import type { ClockWork } from '../tenants/clock.ts';
import type { WebhookServices } from '../webhooks/services.ts';
import { runAdvance, TEST_CLOCK_ADVANCE } from './clock.ts';

/** Runs tenants' clock advances, a few tenants at once (one tenant's is one job: its clock allows one advance at a time). */
export function clockJobs(svc: WebhookServices, works: readonly ClockWork[]): JobDefinition[] {
  return [{ queue: TEST_CLOCK_ADVANCE, concurrency: 2, each: ({ tenantId }: { tenantId: string }) => runAdvance(svc, works, tenantId) }];
}
