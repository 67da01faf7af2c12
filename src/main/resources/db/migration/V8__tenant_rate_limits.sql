-- Per-tenant request rate (requests per second for all of a tenant's keys together); NULL = the
-- service default (THRILLRING_RATE_TENANT_PER_SECOND).
ALTER TABLE tenants ADD COLUMN rate_limit_per_second INTEGER;
ALTER TABLE tenants ADD CONSTRAINT tenants_rate_limit CHECK (rate_limit_per_second IS NULL OR rate_limit_per_second BETWEEN 1 AND 100000);
