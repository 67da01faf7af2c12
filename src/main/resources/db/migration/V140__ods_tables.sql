-- Decision tables may be uploaded as OpenDocument spreadsheets (.drl.ods).
ALTER TABLE rule_set_resources DROP CONSTRAINT rule_set_resources_kind;
ALTER TABLE rule_set_resources ADD CONSTRAINT rule_set_resources_kind CHECK (kind IN ('drl', 'xlsx', 'xls', 'csv', 'ods', 'scenario'));
ALTER TABLE platform_rule_set_resources DROP CONSTRAINT platform_rule_set_resources_kind;
ALTER TABLE platform_rule_set_resources ADD CONSTRAINT platform_rule_set_resources_kind CHECK (kind IN ('drl', 'xlsx', 'xls', 'csv', 'ods', 'scenario'));
