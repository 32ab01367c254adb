-- Up Migration

-- A full re-verification of one audit chain, run by a worker in the background (issue 27):
-- GET /audit/verify reads only the rows since the newest checkpoint, and a pass over the whole
-- history (about 16 µs a row) never runs inside a request. Progress is written as it goes.
CREATE TABLE audit_verifications (
  id text PRIMARY KEY,
  chain text NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  rows_checked bigint NOT NULL DEFAULT 0,
  rows_total bigint,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX audit_verifications_chain_idx ON audit_verifications (chain, created_at DESC, id DESC);

-- Down Migration
DROP TABLE audit_verifications;
