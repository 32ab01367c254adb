/**
 * SQL fragments of the report queries (the dashboard's overview), which each capability's store
 * answers for its own table: the tenant scope, where $1 null means every tenant, and where
 * "today" starts in the IANA time zone $2.
 */
export const TENANT_SCOPE = `($1::text IS NULL OR tenant_id = $1::text)`;
// sandpay_now(): a tenant's report runs on its clock (migration 0037); now() for everyone else.
export const DAY_START = `(date_trunc('day', sandpay_now() AT TIME ZONE $2::text) AT TIME ZONE $2::text)`;
