-- Up Migration

-- A delivery job claims the deliveries it owns by their job_id: one job for all the deliveries a
-- commit fanned out (src/outbox/outbox.ts), then one per retry or replay. Only deliveries still to
-- attempt are looked up this way.
CREATE INDEX webhook_deliveries_job_idx ON webhook_deliveries (job_id) WHERE status IN ('pending', 'failed');

-- Down Migration
DROP INDEX webhook_deliveries_job_idx;
