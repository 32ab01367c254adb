import type { Tx } from '../db/pool.ts';
import { QUEUES, type PgBoss } from '../jobs/boss.ts';
import type { Ctx } from '../services.ts';

/**
 * Where freshly written events go: one delivery per enabled endpoint subscribed to the type (or
 * "*", or for an endpoint of a gateway face, the event's name there), plus one to the payment's
 * own webhook_url. A CTE named `targets` for the statement that writes the events
 * (src/outbox/outbox.ts), over its parameters: $1 tenant, $2 event ids, $3 types, $6 payment
 * ids, $8 each event's names in the faces (JSON, from faceNames). The deliveries are written by that same statement, so nothing
 * is held in memory and a crash after commit loses nothing.
 */
export const FAN_OUT_TARGETS = `targets AS (
       SELECT e.id AS event_id, e.type AS event_type, w.id AS endpoint_id, w.url
         FROM unnest($2::text[], $3::text[], $8::json[]) AS e (id, type, face_names)
         JOIN webhook_endpoints w ON w.tenant_id = $1::text AND w.enabled AND w.deleted_at IS NULL
                                 AND webhook_wants(w.format, w.events, e.type, e.face_names ->> w.format)
       UNION ALL
       SELECT e.id, e.type, NULL, p.webhook_url
         FROM unnest($2::text[], $3::text[], $6::text[]) AS e (id, type, payment_id)
         JOIN payments p ON p.id = e.payment_id AND p.webhook_url IS NOT NULL
     )`;

const jobsSql = new WeakMap<PgBoss, Promise<string>>();

/**
 * pg-boss's own statement for inserting delivery jobs (as boss.insert would send it: its table,
 * queue options and transactional NOTIFY), with the JSON of the jobs, its one parameter, read
 * from the deliveries of the events named by $1 instead: the statement needs no answer from the
 * one that wrote them, so both are deferred to the COMMIT's round trip. Asked once per process.
 */
function deliveryJobsSql(boss: PgBoss): Promise<string> {
  let sql = jobsSql.get(boss);
  if (!sql) {
    sql = (async () => {
      let text = '';
      await boss.insert(QUEUES.webhookDelivery, [{ data: {} }], { db: { executeSql: async (s: string) => ((text = s), { rows: [] }) } });
      const param = '$1::text::json';
      if (text.split('$1').length !== 2 || !text.includes(param)) throw new Error(`pg-boss's job insert changed shape: ${text}`);
      return text.replace(param, () => `(SELECT coalesce(json_agg(json_build_object('id', d.job_id, 'data', json_build_object('deliveryId', d.id))), '[]')
                                          FROM webhook_deliveries d WHERE d.event_id = ANY($1::text[]))::text::json`);
    })();
    sql.catch(() => jobsSql.delete(boss));
    jobsSql.set(boss, sql);
  }
  return sql;
}

/** Defers the jobs of the deliveries the same transaction made for these events (none when it made none). */
export async function deferDeliveryJobs(t: Tx, ctx: Ctx, eventIds: string[]): Promise<void> {
  t.defer(await deliveryJobsSql(ctx.svc.boss), [eventIds]);
}
