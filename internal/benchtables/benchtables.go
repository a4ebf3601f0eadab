// Package benchtables holds the source tables the copy benchmarks share, so
// the API's end-to-end benchmark and the connector's focused one read the
// same rows.
package benchtables

// WideColumns is the SELECT list, over generate_series(…) g, of the wide
// benchmark table's 20 columns: text, numerics of three precisions (one
// wider than 18 digits), timestamptz, jsonb and the other common kinds,
// some NULL.
const WideColumns = `g::bigint AS id, 'customer ' || g AS name, md5(g::text) AS email_hash,
	repeat('x', (g % 50)::int) AS note, CASE WHEN g % 7 = 0 THEN NULL ELSE 'city ' || (g % 1000) END AS city,
	((g % 100000) * 1.25)::numeric(12,2) AS amount, (g % 997)::numeric(10,3) AS rate, (g::numeric / 7)::numeric(20,6) AS ratio,
	timestamptz '2024-01-01' + g * interval '1 second' AS created_at, timestamptz '2024-06-01' + g * interval '1 minute' AS updated_at,
	CASE WHEN g % 5 = 0 THEN NULL ELSE timestamptz '2020-01-01' + (g % 5000) * interval '1 day' END AS seen_at,
	jsonb_build_object('id', g, 'tier', g % 5, 'tags', jsonb_build_array('a', 'b')) AS attrs,
	CASE WHEN g % 4 = 0 THEN NULL ELSE jsonb_build_object('k', g % 13) END AS extra,
	(g % 1000)::int AS bucket, (g % 32000)::smallint AS small, (g * 0.5)::float8 AS score, (g % 100)::float4 AS weight,
	g % 2 = 0 AS flag, date '2024-01-01' + (g % 365)::int AS day, md5(g::text)::uuid AS ref`
