-- Up Migration

-- The event stream (GET /events/stream) resumes from a position, so every event gets one:
-- (tx, pos), the writing transaction's id and a per-row counter. Neither is commit order (both
-- are taken before COMMIT), so the stream reads only events of transactions older than every
-- transaction still running (the snapshot's xmin): those are all finished, so no event can
-- later commit behind a position already passed. No lock is taken on the write path.
-- Events written before this migration share tx 0 and come first.
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE events ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
ALTER TABLE events ADD COLUMN pos bigint GENERATED ALWAYS AS IDENTITY;
CREATE INDEX events_tenant_stream_idx ON events (tenant_id, tx, pos);

-- Down Migration
DROP INDEX events_tenant_stream_idx;
ALTER TABLE events DROP COLUMN pos;
ALTER TABLE events DROP COLUMN tx;
