ALTER TABLE obs_task_transformations DROP COLUMN sql_lineage;

ALTER TABLE obs_lineage_edges
    DROP COLUMN source,
    DROP COLUMN kind;
