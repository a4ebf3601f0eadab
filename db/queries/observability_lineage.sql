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
INSERT INTO obs_task_transformations (task_run_id, transformation_id, team_id, tf_id, status, query_str, inputs, output_name, reported_at)
VALUES (@task_run_id, @transformation_id, @team_id, @tf_id, @status, @query_str, @inputs, @output_name, @reported_at)
ON CONFLICT (task_run_id, transformation_id) DO UPDATE
SET status = EXCLUDED.status, query_str = EXCLUDED.query_str, inputs = EXCLUDED.inputs,
    output_name = EXCLUDED.output_name, reported_at = EXCLUDED.reported_at;

-- name: ObsLineageEdgesUpsert :exec
-- Records lineage edges of one transformation; edges seen before keep their
-- first_seen_at, so lineage "as of" a time stays stable.
INSERT INTO obs_lineage_edges (team_id, transformation_id, input_dataset_id, output_dataset_id,
                               input_column, output_column, first_seen_at, last_seen_at)
-- The parallel arrays are zipped by set-returning functions in the select list.
SELECT @team_id, @transformation_id,
       unnest(@input_dataset_ids::bigint[]), unnest(@output_dataset_ids::bigint[]),
       unnest(@input_columns::text[]), unnest(@output_columns::text[]),
       @seen_at, @seen_at
ON CONFLICT (team_id, transformation_id, input_dataset_id, output_dataset_id, input_column, output_column) DO UPDATE
SET last_seen_at = greatest(obs_lineage_edges.last_seen_at, EXCLUDED.last_seen_at);

-- name: ObsLineageWalk :many
-- Walks the lineage graph from one dataset in ONE recursive query, upstream,
-- downstream or both, up to max_depth transformations away, using only edges first
-- seen at or before as_of. With an empty column_name it follows dataset-level edges;
-- otherwise it follows the column: downstream along edges that read it, upstream
-- along edges that write it (or that name only input columns, which may feed any
-- output column); an edge that does not say which output column it feeds continues
-- at dataset level. Returns at most edge_limit edges (callers ask for one more than
-- they show, to tell when the answer was cut).
WITH RECURSIVE
down (edge_id, dataset_id, col, depth) AS (
    SELECT NULL::bigint, @dataset_id::bigint, @column_name::text, 0
    WHERE @direction::text IN ('downstream', 'both')
  UNION
    SELECT e.id, e.output_dataset_id,
           CASE WHEN d.col = '' THEN '' ELSE e.output_column END,
           d.depth + 1
    FROM down d
    JOIN obs_lineage_edges e
      ON e.team_id = @team_id
     AND e.input_dataset_id = d.dataset_id
     AND e.input_column = d.col
     AND (d.col <> '' OR e.output_column = '')
    WHERE d.depth < @max_depth::integer
      AND e.first_seen_at <= @as_of::timestamptz
),
up (edge_id, dataset_id, col, depth) AS (
    SELECT NULL::bigint, @dataset_id::bigint, @column_name::text, 0
    WHERE @direction::text IN ('upstream', 'both')
  UNION
    SELECT e.id, e.input_dataset_id,
           CASE WHEN u.col = '' THEN '' ELSE e.input_column END,
           u.depth + 1
    FROM up u
    JOIN obs_lineage_edges e
      ON e.team_id = @team_id
     AND e.output_dataset_id = u.dataset_id
     AND ((u.col = '' AND e.input_column = '' AND e.output_column = '')
          OR (u.col <> '' AND (e.output_column = u.col OR (e.output_column = '' AND e.input_column <> ''))))
    WHERE u.depth < @max_depth::integer
      AND e.first_seen_at <= @as_of::timestamptz
),
walked AS (
    SELECT edge_id, min(depth)::integer AS depth FROM (
        SELECT edge_id, depth FROM down WHERE edge_id IS NOT NULL
        UNION ALL
        SELECT edge_id, depth FROM up WHERE edge_id IS NOT NULL
    ) w
    GROUP BY edge_id
)
SELECT e.id, e.transformation_id, e.input_column, e.output_column, w.depth,
       di.id AS input_dataset_id, di.name AS input_dataset, di.ds_type AS input_ds_type,
       dout.id AS output_dataset_id, dout.name AS output_dataset, dout.ds_type AS output_ds_type,
       t.app_name, t.task_name, t.tf_id, t.last_seen_at,
       coalesce(r.task_id, '')::text AS last_task_id
FROM walked w
JOIN obs_lineage_edges e ON e.id = w.edge_id AND e.team_id = @team_id
JOIN obs_transformations t ON t.id = e.transformation_id AND t.team_id = @team_id
JOIN obs_datasets di ON di.id = e.input_dataset_id AND di.team_id = @team_id
JOIN obs_datasets dout ON dout.id = e.output_dataset_id AND dout.team_id = @team_id
LEFT JOIN obs_task_runs r ON r.id = t.last_task_run_id AND r.team_id = @team_id
ORDER BY w.depth, e.id
LIMIT @edge_limit::integer;

-- name: ObsDatasetGet :one
SELECT * FROM obs_datasets
WHERE team_id = @team_id AND name = @name;
