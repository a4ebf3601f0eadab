package sqlguard

import (
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// postgresAllowlistAttempts are calls the allowlist refuses, by class: SQL
// given as text to a function, names spelled to slip past a deny list
// (schema-qualified, quoted, in another case), operators that are function
// calls, and calls hidden in LATERAL, CTEs, nested subqueries, ROWS FROM,
// XMLTABLE, window clauses and TABLESAMPLE. checkCorpus spells each with
// comments, whitespace and case variants too.
var postgresAllowlistAttempts = []attempt{
	// Functions that run SQL given as text.
	write(`SELECT * FROM ts_stat('SELECT to_tsvector(name) FROM sg.items')`, `^function ts_stat is not on the allowlist of read-only functions$`),
	write(`SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery')`, `^function ts_rewrite is not on the allowlist`),
	write(`SELECT * FROM crosstab('SELECT name, name, qty FROM sg.items') AS ct(a text, b int)`, `^function crosstab is not on the allowlist`),
	write(`SELECT * FROM crosstab2('SELECT 1')`, `^function crosstab2 is not on the allowlist`),
	write(`SELECT xpath('/row', query_to_xml('DELETE FROM sg.items RETURNING *', true, true, ''))`, `^function query_to_xml runs SQL given as text$`),
	write(`SELECT cursor_to_xml('c', 1, true, true, '')`, `^function cursor_to_xml runs SQL given as text$`),
	write(`SELECT database_to_xml(true, true, '')`, `^function database_to_xml`),
	write(`SELECT table_to_xmlschema('sg.items', true, true, '')`, `^function table_to_xmlschema`),
	write(`SELECT dblink_exec('dbname=postgres', 'DELETE FROM sg.items')`, `^function dblink_exec reaches outside`),
	write(`SELECT * FROM dblink_fetch('c', 10) AS t(a text)`, `^function dblink_fetch`),
	write(`SELECT lo_get(1)`, `^function lo_get uses large objects$`),
	// Qualified, quoted and case variants of denied and unknown names.
	write(`SELECT pg_catalog.pg_sleep(1)`, `^function pg_sleep sleeps`),
	write(`SELECT "pg_catalog"."pg_sleep"(1)`, `^function pg_sleep sleeps`),
	write(`SELECT "pg_sleep"(1)`, `^function pg_sleep sleeps`),
	write(`SELECT "PG_SLEEP"(1)`, `^function pg_sleep sleeps`),
	write(`SELECT public.lower('x')`, `^function public\.lower is not on the allowlist of read-only functions: only built-in`),
	write(`SELECT sg.evil()`, `^function sg\.evil is not on the allowlist`),
	write(`SELECT "Lower"('x')`, `^function Lower is not on the allowlist`),
	write(`SELECT evil_function_nobody_denied(1)`, `^function evil_function_nobody_denied is not on the allowlist`),
	write(`SELECT pg_catalog.ts_stat('SELECT 1')`, `^function ts_stat is not on the allowlist`),
	write(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE false`, `^function pg_terminate_backend signals`),
	write(`SELECT pg_read_server_files_nope('x')`, `not on the allowlist`),
	write(`SELECT ('pg_sleep'::regproc)(1)`, `^could not parse`),
	// Operators are function calls.
	write(`SELECT 1 OPERATOR(public.===) 1`, `^operator public\.=== is not on the allowlist of read-only operators`),
	write(`SELECT 1 === 1`, `^operator === is not on the allowlist of read-only operators$`),
	write(`SELECT id FROM sg.items WHERE id === ANY (ARRAY[1])`, `^operator ===`),
	write(`SELECT id FROM sg.items WHERE id === ANY (SELECT 1)`, `^operator ===`),
	write(`SELECT 1 OPERATOR(sg.+) 1`, `^operator sg\.\+ is not on the allowlist`),
	// Calls hidden in every place a query can hold one.
	write(`SELECT * FROM sg.items, LATERAL crosstab('SELECT 1') AS c(a text)`, `^function crosstab`),
	write(`SELECT * FROM sg.items CROSS JOIN LATERAL (SELECT dblink_exec('x', 'DROP TABLE sg.items')) AS d`, `^function dblink_exec`),
	write(`WITH x AS (SELECT ts_stat('SELECT 1')) SELECT * FROM x`, `^function ts_stat`),
	write(`WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE evil(n)) SELECT * FROM r`, `^function evil`),
	write(`SELECT (SELECT (SELECT max(x) FROM (SELECT evil(id) AS x FROM sg.items) AS s))`, `^function evil`),
	write(`SELECT * FROM ROWS FROM (generate_series(1, 2), pg_ls_dir('.')) AS r(a, b)`, `^function pg_ls_dir`),
	write(`SELECT * FROM XMLTABLE('/r' PASSING query_to_xml('SELECT 1', true, true, '') COLUMNS a int)`, `^function query_to_xml`),
	write(`SELECT rank() OVER (ORDER BY evil(id)) FROM sg.items`, `^function evil`),
	write(`SELECT id FROM sg.items GROUP BY id HAVING evil(id)`, `^function evil`),
	write(`SELECT count(*) FILTER (WHERE evil(id)) FROM sg.items`, `^function evil`),
	write(`SELECT id FROM sg.items ORDER BY evil(id)`, `^function evil`),
	write(`SELECT CAST(evil(1) AS text)`, `^function evil`),
	write(`SELECT * FROM sg.items TABLESAMPLE system_time(1000)`, `^TABLESAMPLE method system_time is not on the allowlist`),
	write(`EXPLAIN SELECT crosstab('SELECT 1')`, `^function crosstab`),
	write(`VALUES (evil(1))`, `^function evil`),
}

// postgresAllowedReads are reads that call built-in functions and operators
// through every kind of syntax the grammar turns into a call, and that
// mention dangerous names only as data, casts or column names.
var postgresAllowedReads = []string{
	`SELECT extract(year FROM now()), substring('abc' FROM 2 FOR 1), position('b' IN 'abc'), overlay('abc' PLACING 'x' FROM 1)`,
	`SELECT trim(BOTH 'x' FROM 'xax'), now() AT TIME ZONE 'UTC', 'a' IS NORMALIZED, normalize('a', NFC), collation for ('a')`,
	`SELECT (DATE '2020-01-01', DATE '2020-02-01') OVERLAPS (DATE '2020-01-15', DATE '2020-03-01'), 'ab' SIMILAR TO 'a%', 'ab' LIKE 'a%' ESCAPE '!'`,
	`SELECT coalesce(NULL, 1), nullif(1, 2), greatest(1, 2), least(1, 2), 1 IS DISTINCT FROM 2, 3 BETWEEN 1 AND 4, 3 BETWEEN SYMMETRIC 4 AND 1`,
	`SELECT lower('SELECT pg_sleep(10); DELETE FROM sg.items'), length('dblink_exec(''x'', ''y'')')`,
	`SELECT 'pg_sleep'::regproc, 'pg_sleep(double precision)'::regprocedure, 'sg.items'::regclass, CAST('int4' AS regtype)`,
	`SELECT '{"a": {"b": 1}}'::jsonb -> 'a' ->> 'b', '{"a": 1}'::jsonb @> '{"a": 1}', '{"a": 1}'::jsonb ? 'a', jsonb_path_query_array('[1, 2]', '$[*]')`,
	`SELECT ARRAY[1, 2] && ARRAY[2], ARRAY[1] <@ ARRAY[1, 2], array_length(ARRAY[1], 1), unnest(ARRAY[1, 2]), cardinality(ARRAY[1])`,
	`SELECT 1 OPERATOR(pg_catalog.+) 1, pg_catalog.lower('A'), pg_catalog.now(), "lower"('A')`,
	`SELECT id FROM sg.items WHERE id = ANY (ARRAY[1, 2]) AND id <> ALL (SELECT 3) AND name ~* '^a' AND name !~~ 'b%'`,
	`SELECT date_trunc('day', now()) + interval '1 day', to_char(now(), 'YYYY'), age(now(), now()), make_date(2020, 1, 1)`,
	`SELECT to_tsvector('english', name) @@ plainto_tsquery('english', 'a'), ts_rank(to_tsvector(name), to_tsquery('a')) FROM sg.items`,
	`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY qty), string_agg(name, ',' ORDER BY name), stddev(qty), bool_and(qty > 0) FROM sg.items`,
	`SELECT row_number() OVER w, lag(qty) OVER w, ntile(2) OVER w, first_value(qty) OVER w FROM sg.items WINDOW w AS (ORDER BY id)`,
	`SELECT * FROM sg.items TABLESAMPLE BERNOULLI (10) REPEATABLE (1)`,
	`SELECT * FROM sg.items, LATERAL jsonb_each('{"a": 1}') AS j`,
	`SELECT current_setting('search_path'), current_database(), has_table_privilege('sg.items', 'SELECT'), pg_get_viewdef('pg_tables'::regclass)`,
	`SELECT 1 AS pg_sleep, 'crosstab' AS dblink_exec`,
	`SELECT xpath('/a/text()', '<a>x</a>'::xml), md5('x'), encode(sha256('x'), 'hex'), gen_random_uuid() IS NOT NULL`,
}

// TestCheckPostgresAllowlist runs the allowlist's attempts and reads for
// Postgres and Redshift.
func TestCheckPostgresAllowlist(t *testing.T) {
	checkCorpus(t, connectors.DialectPostgres, postgresAllowlistAttempts, postgresAllowedReads)
	checkCorpus(t, connectors.DialectRedshift, postgresAllowlistAttempts, postgresAllowedReads)
}

// TestCheckRedshiftFunctions allows Redshift's own built-ins on Redshift
// only: on Postgres the same name is someone's function.
func TestCheckRedshiftFunctions(t *testing.T) {
	sql := `SELECT nvl(name, 'x'), dateadd(day, 1, getdate()), convert_timezone('UTC', now()) FROM sg.items`
	if err := Check(connectors.DialectRedshift, sql); err != nil {
		t.Errorf("Redshift refused its own functions: %v", err)
	}
	requireRefused(t, connectors.DialectPostgres, sql, `^function nvl is not on the allowlist`)
}
