-- name: ObsDatasetsEnsure :exec
-- Creates the datasets that do not exist yet. Names arrive sorted, so concurrent
-- reports lock rows in the same order.
INSERT INTO obs_datasets (team_id, name)
SELECT @team_id, unnest(@names::text[])
ON CONFLICT (team_id, name) DO NOTHING;

-- name: ObsDatasetsByName :many
SELECT id, name FROM obs_datasets
WHERE team_id = @team_id AND name = ANY(@names::text[]);

-- name: ObsDatasetDescribe :exec
-- Sets a dataset's type and namespace when given, and merges properties.
UPDATE obs_datasets
SET ds_type = CASE WHEN @ds_type::text = '' THEN ds_type ELSE @ds_type::text END,
    namespace = CASE WHEN @namespace::text = '' THEN namespace ELSE @namespace::text END,
    properties = properties || @properties::jsonb,
    updated_at = now()
WHERE team_id = @team_id AND id = @id;

-- name: ObsTransformationUpsert :one
-- Records a logical transformation (app, task, tf_id) and returns its id.
INSERT INTO obs_transformations (team_id, app_name, task_name, tf_id, output_dataset_id, query_str,
                                 last_task_run_id, first_seen_at, last_seen_at)
VALUES (@team_id, @app_name, @task_name, @tf_id, @output_dataset_id, @query_str, @task_run_id, @seen_at, @seen_at)
ON CONFLICT (team_id, app_name, task_name, tf_id) DO UPDATE
SET output_dataset_id = EXCLUDED.output_dataset_id,
    query_str = CASE WHEN EXCLUDED.query_str = '' THEN obs_transformations.query_str ELSE EXCLUDED.query_str END,
    last_task_run_id = EXCLUDED.last_task_run_id,
    last_seen_at = greatest(obs_transformations.last_seen_at, EXCLUDED.last_seen_at)
RETURNING id;

-- name: ObsTaskTransformationUpsert :exec
-- Records what one run reported about a transformation; a repeated report replaces it.
INSERT INTO obs_task_transformations (task_run_id, transformation_id, team_id, tf_id, status, query_str, inputs, output_name,
                                      sql_lineage, reported_at)
VALUES (@task_run_id, @transformation_id, @team_id, @tf_id, @status, @query_str, @inputs, @output_name, @sql_lineage, @reported_at)
ON CONFLICT (task_run_id, transformation_id) DO UPDATE
SET status = EXCLUDED.status, query_str = EXCLUDED.query_str, inputs = EXCLUDED.inputs,
    output_name = EXCLUDED.output_name, sql_lineage = EXCLUDED.sql_lineage, reported_at = EXCLUDED.reported_at;

-- name: ObsLineageEdgesUpsert :exec
-- Records lineage edges of one transformation; edges seen before keep their
-- first_seen_at, so lineage "as of" a time stays stable. A kind given replaces
-- the one known; an edge said by the report and by the SQL becomes 'both'.
INSERT INTO obs_lineage_edges (team_id, transformation_id, input_dataset_id, output_dataset_id,
                               input_column, output_column, kind, source, first_seen_at, last_seen_at)
-- The parallel arrays are zipped by set-returning functions in the select list.
SELECT @team_id, @transformation_id,
       unnest(@input_dataset_ids::bigint[]), unnest(@output_dataset_ids::bigint[]),
       unnest(@input_columns::text[]), unnest(@output_columns::text[]),
       unnest(@kinds::text[]), unnest(@sources::text[]),
       @seen_at, @seen_at
ON CONFLICT (team_id, transformation_id, input_dataset_id, output_dataset_id, input_column, output_column) DO UPDATE
SET last_seen_at = greatest(obs_lineage_edges.last_seen_at, EXCLUDED.last_seen_at),
    kind = CASE WHEN EXCLUDED.kind = '' THEN obs_lineage_edges.kind ELSE EXCLUDED.kind END,
    source = CASE WHEN obs_lineage_edges.source = EXCLUDED.source THEN obs_lineage_edges.source ELSE 'both' END;

-- name: ObsDatasetSchemasByName :many
-- The latest reported schema of each named dataset, for reading SQL that
-- names them (expanding *, attributing unqualified columns).
SELECT DISTINCT ON (d.id) d.name, v.fields
FROM obs_datasets d
JOIN obs_schema_versions v ON v.team_id = @team_id AND v.dataset_id = d.id
WHERE d.team_id = @team_id AND d.name = ANY (@names::text[])
ORDER BY d.id, v.version DESC;

-- name: ObsLineageColumnEdgesOf :many
-- The column edges of the given transformations first seen by as_of, with
-- their datasets' names: the column level of a dataset-level walk.
SELECT e.transformation_id, e.input_dataset_id, i.name AS input_name, e.output_dataset_id, o.name AS output_name,
       e.input_column, e.output_column, e.kind, e.source
FROM obs_lineage_edges e
JOIN obs_datasets i ON i.team_id = @team_id AND i.id = e.input_dataset_id
JOIN obs_datasets o ON o.team_id = @team_id AND o.id = e.output_dataset_id
WHERE e.team_id = @team_id AND e.transformation_id = ANY (@transformation_ids::bigint[])
  AND e.input_column <> '' AND e.first_seen_at <= @as_of::timestamptz
ORDER BY e.id
LIMIT @edge_limit::integer;

-- name: ObsLineageWalk :one
-- Walks the lineage graph from one dataset in ONE recursive query: upstream,
-- downstream or both, up to max_depth transformations away, using only edges
-- first seen at or before as_of.
--
-- With an empty column_name the walk follows dataset-level edges (the *_bfs parts
-- and ds_edges, served by partial indexes). Otherwise it follows the column (the
-- *_col parts): downstream along edges that read it, upstream along edges that
-- write it or that name only input columns (which may feed any output column);
-- an edge that does not say which output column it feeds continues at dataset
-- level.
--
-- The answer is one row of parallel arrays (one row rather than thousands:
-- far less per-row work for Postgres and pgx): the walked edges (at most edge_limit,
-- the nearest ones, in no particular order), then the datasets and
-- transformations those edges touch, so each node is looked up once however
-- many edges reach it, by primary key: the cost follows the answer, not the
-- size of the team's graph.
WITH RECURSIVE
-- Dataset level: breadth-first, one row per level holding the edges that
-- leave the previous level's datasets (read with one index scan), the level's
-- new datasets (frontier: the edges' far ends not met before, a hashed
-- EXCEPT) and those met before it (seen). Each dataset is expanded once
-- however many paths reach it; an empty level ends the walk.
down_bfs (frontier, seen, edge_ids, transformation_ids, input_ids, output_ids, depth) AS (
    SELECT ARRAY[@dataset_id::bigint], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], 0
    WHERE @direction::text IN ('downstream', 'both') AND @column_name::text = ''
  UNION ALL
    SELECT n.next, b.seen || b.frontier, e.edge_ids, e.transformation_ids, e.input_ids, e.output_ids, b.depth + 1
    FROM down_bfs b
    CROSS JOIN LATERAL (
        SELECT array_agg(e.id) AS edge_ids, array_agg(e.transformation_id) AS transformation_ids,
               array_agg(e.input_dataset_id) AS input_ids, array_agg(e.output_dataset_id) AS output_ids
        FROM obs_lineage_edges e
        WHERE e.team_id = @team_id AND e.input_dataset_id = ANY (b.frontier)
          AND e.input_column = '' AND e.output_column = '' AND e.first_seen_at <= @as_of::timestamptz
    ) e
    CROSS JOIN LATERAL (
        SELECT array_agg(x) AS next
        FROM (SELECT unnest(e.output_ids) EXCEPT SELECT unnest(b.seen || b.frontier)) AS s (x)
    ) n
    WHERE b.depth < @max_depth::integer AND b.frontier IS NOT NULL
),
up_bfs (frontier, seen, edge_ids, transformation_ids, input_ids, output_ids, depth) AS (
    SELECT ARRAY[@dataset_id::bigint], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], '{}'::bigint[], 0
    WHERE @direction::text IN ('upstream', 'both') AND @column_name::text = ''
  UNION ALL
    SELECT n.next, b.seen || b.frontier, e.edge_ids, e.transformation_ids, e.input_ids, e.output_ids, b.depth + 1
    FROM up_bfs b
    CROSS JOIN LATERAL (
        SELECT array_agg(e.id) AS edge_ids, array_agg(e.transformation_id) AS transformation_ids,
               array_agg(e.input_dataset_id) AS input_ids, array_agg(e.output_dataset_id) AS output_ids
        FROM obs_lineage_edges e
        WHERE e.team_id = @team_id AND e.output_dataset_id = ANY (b.frontier)
          AND e.input_column = '' AND e.output_column = '' AND e.first_seen_at <= @as_of::timestamptz
    ) e
    CROSS JOIN LATERAL (
        SELECT array_agg(x) AS next
        FROM (SELECT unnest(e.input_ids) EXCEPT SELECT unnest(b.seen || b.frontier)) AS s (x)
    ) n
    WHERE b.depth < @max_depth::integer AND b.frontier IS NOT NULL
),
-- The levels' edges, both ways, one row each.
ds_edges (edge_id, transformation_id, input_id, output_id, input_col, output_col, kind, source, depth) AS (
    SELECT b.edge_ids[k]::bigint, b.transformation_ids[k]::bigint, b.input_ids[k]::bigint, b.output_ids[k]::bigint,
           ''::text, ''::text, ''::text, ''::text, b.depth
    FROM (SELECT * FROM down_bfs UNION ALL SELECT * FROM up_bfs) b, generate_subscripts(b.edge_ids, 1) AS k
),
-- Column level: a walk over (dataset, column) states.
down_col (edge_id, transformation_id, input_id, output_id, input_col, output_col, kind, source, dataset_id, col, depth) AS (
    SELECT 0::bigint, 0::bigint, 0::bigint, 0::bigint, ''::text, ''::text, ''::text, ''::text, @dataset_id::bigint, @column_name::text, 0
    WHERE @direction::text IN ('downstream', 'both') AND @column_name::text <> ''
  UNION
    SELECT e.id, e.transformation_id, e.input_dataset_id, e.output_dataset_id, e.input_column, e.output_column,
           e.kind, e.source, e.output_dataset_id, CASE WHEN d.col = '' THEN '' ELSE e.output_column END, d.depth + 1
    FROM down_col d
    JOIN obs_lineage_edges e
      ON e.team_id = @team_id AND e.input_dataset_id = d.dataset_id AND e.input_column = d.col
     AND (d.col <> '' OR e.output_column = '')
    WHERE d.depth < @max_depth::integer AND e.first_seen_at <= @as_of::timestamptz
),
up_col (edge_id, transformation_id, input_id, output_id, input_col, output_col, kind, source, dataset_id, col, depth) AS (
    SELECT 0::bigint, 0::bigint, 0::bigint, 0::bigint, ''::text, ''::text, ''::text, ''::text, @dataset_id::bigint, @column_name::text, 0
    WHERE @direction::text IN ('upstream', 'both') AND @column_name::text <> ''
  UNION
    SELECT e.id, e.transformation_id, e.input_dataset_id, e.output_dataset_id, e.input_column, e.output_column,
           e.kind, e.source, e.input_dataset_id, CASE WHEN u.col = '' THEN '' ELSE e.input_column END, u.depth + 1
    FROM up_col u
    JOIN obs_lineage_edges e
      ON e.team_id = @team_id AND e.output_dataset_id = u.dataset_id
     AND ((u.col = '' AND e.input_column = '' AND e.output_column = '')
          OR (u.col <> '' AND (e.output_column = u.col OR (e.output_column = '' AND e.input_column <> ''))))
    WHERE u.depth < @max_depth::integer AND e.first_seen_at <= @as_of::timestamptz
),
walked AS (
    SELECT w.edge_id, w.transformation_id, w.input_id, w.output_id, w.input_col, w.output_col, w.kind, w.source,
           min(w.depth)::integer AS depth
    FROM (
        SELECT * FROM ds_edges
        UNION ALL SELECT edge_id, transformation_id, input_id, output_id, input_col, output_col, kind, source, depth FROM down_col
        UNION ALL SELECT edge_id, transformation_id, input_id, output_id, input_col, output_col, kind, source, depth FROM up_col
    ) w
    WHERE w.edge_id <> 0
    GROUP BY w.edge_id, w.transformation_id, w.input_id, w.output_id, w.input_col, w.output_col, w.kind, w.source
    ORDER BY depth, w.edge_id
    LIMIT @edge_limit::integer
)
SELECT e.edge_ids, e.edge_depths, e.edge_transformation_ids, e.edge_input_ids, e.edge_output_ids,
       e.edge_input_columns, e.edge_output_columns, e.edge_kinds, e.edge_sources,
       d.dataset_ids, d.dataset_names, d.dataset_types,
       t.transformation_ids, t.transformation_app_names, t.transformation_task_names, t.transformation_tf_ids,
       t.transformation_last_task_ids, t.transformation_last_seen_ats
FROM (
    SELECT coalesce(array_agg(w.edge_id), '{}')::bigint[] AS edge_ids,
           coalesce(array_agg(w.depth), '{}')::integer[] AS edge_depths,
           coalesce(array_agg(w.transformation_id), '{}')::bigint[] AS edge_transformation_ids,
           coalesce(array_agg(w.input_id), '{}')::bigint[] AS edge_input_ids,
           coalesce(array_agg(w.output_id), '{}')::bigint[] AS edge_output_ids,
           coalesce(array_agg(w.input_col), '{}')::text[] AS edge_input_columns,
           coalesce(array_agg(w.output_col), '{}')::text[] AS edge_output_columns,
           coalesce(array_agg(w.kind), '{}')::text[] AS edge_kinds,
           coalesce(array_agg(w.source), '{}')::text[] AS edge_sources
    FROM walked w
) e, (
    SELECT coalesce(array_agg(d.id), '{}')::bigint[] AS dataset_ids,
           coalesce(array_agg(d.name), '{}')::text[] AS dataset_names,
           coalesce(array_agg(d.ds_type), '{}')::text[] AS dataset_types
    FROM obs_datasets d
    WHERE d.team_id = @team_id
      AND d.id = ANY (ARRAY(SELECT @dataset_id::bigint UNION SELECT input_id FROM walked UNION SELECT output_id FROM walked))
) d, (
    SELECT coalesce(array_agg(t.id), '{}')::bigint[] AS transformation_ids,
           coalesce(array_agg(t.app_name), '{}')::text[] AS transformation_app_names,
           coalesce(array_agg(t.task_name), '{}')::text[] AS transformation_task_names,
           coalesce(array_agg(t.tf_id), '{}')::text[] AS transformation_tf_ids,
           coalesce(array_agg(coalesce(r.task_id, '')), '{}')::text[] AS transformation_last_task_ids,
           coalesce(array_agg(t.last_seen_at), '{}')::timestamptz[] AS transformation_last_seen_ats
    FROM obs_transformations t
    LEFT JOIN obs_task_runs r ON r.id = t.last_task_run_id AND r.team_id = @team_id
    WHERE t.team_id = @team_id AND t.id = ANY (ARRAY(SELECT DISTINCT transformation_id FROM walked))
) t;

-- name: ObsDatasetGet :one
SELECT * FROM obs_datasets
WHERE team_id = @team_id AND name = @name;
