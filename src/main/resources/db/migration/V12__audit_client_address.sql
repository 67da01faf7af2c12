-- Where an administrative change came from: the client's address (behind a trusted proxy, the
-- address it forwarded). NULL for changes the service made outside a request and for older rows.
ALTER TABLE audit_log ADD COLUMN client_address VARCHAR(45);
ALTER TABLE platform_audit_log ADD COLUMN client_address VARCHAR(45);
