-- Up Migration

-- The btree on payments(created_at) (0004, for operator metrics) let the planner serve a tenant's
-- newest-first list by scanning everyone's newest payments and filtering: a busy tenant slowed
-- every other tenant's first page. A BRIN index still serves the metrics time ranges, but it
-- cannot return rows in order, so lists keep to the (tenant_id, created_at, id) index.
DROP INDEX payments_created_idx;
CREATE INDEX payments_created_brin ON payments USING brin (created_at);

-- Down Migration
DROP INDEX payments_created_brin;
CREATE INDEX payments_created_idx ON payments (created_at);
