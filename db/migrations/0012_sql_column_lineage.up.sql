-- Column lineage read from a transformation's SQL (query_str, the OpenLineage sql
-- facet). Each edge says how its output column derives from its input column
-- (kind: identity, transformation, aggregation, indirect; '' when the reporter
-- did not say) and who said so (source: reported, sql, or both when the report
-- and the SQL agree). Each reported transformation keeps what the SQL analysis
-- found: its status or failure reason, inputs it added, and conflicts with the
-- report.
ALTER TABLE obs_lineage_edges
    ADD COLUMN kind   text NOT NULL DEFAULT '',
    ADD COLUMN source text NOT NULL DEFAULT 'reported';

ALTER TABLE obs_task_transformations
    ADD COLUMN sql_lineage jsonb NOT NULL DEFAULT '{}'::jsonb;
