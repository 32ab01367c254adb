-- Up Migration

-- Where each audit chain's MAC-less rows end (issue 21, item 2). Until now verification accepted
-- rows without a MAC at the start of any chain not yet checkpointed, so a superuser could rewrite a
-- new tenant's whole chain with audit_row_hash() and mac = NULL and have it pass, and signed.
-- From here on a row without a MAC is accepted only up to its chain's boundary in this table:
-- the last row written before the keyed chain (0011) and that row's hash. The process that
-- applies this migration fills it once, at that start, from the rows then present, and MACs each
-- boundary with the audit key (src/audit/legacy.ts), so a database user can neither add one nor
-- move one. A chain with no row here starts with a keyed row.
CREATE TABLE audit_legacy_boundaries (
  chain       text PRIMARY KEY,
  seq         bigint NOT NULL,
  head_hash   text NOT NULL,
  mac         text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER audit_legacy_boundaries_no_update_delete BEFORE UPDATE OR DELETE ON audit_legacy_boundaries
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_legacy_boundaries_no_truncate BEFORE TRUNCATE ON audit_legacy_boundaries
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Down Migration
DROP TABLE audit_legacy_boundaries;
