package sqlguard

import "github.com/sluice-dev/sluice/connectors"

// classifiedWrites are statements every classified dialect (SQL Server,
// BigQuery, Snowflake, DuckDB) must refuse.
var classifiedWrites = []attempt{
	write(`INSERT INTO sg.items VALUES (100, 'evil', 1)`, `^INSERT statements write$`),
	write(`UPDATE sg.items SET qty = 0`, `^UPDATE statements write$`),
	write(`DELETE FROM sg.items`, `^DELETE statements write$`),
	write(`MERGE INTO sg.items AS t USING sg.other AS s ON t.id = s.id WHEN MATCHED THEN DELETE`, `^MERGE statements write$`),
	write(`UPSERT INTO sg.items VALUES (1)`, `^UPSERT statements write$`),
	write(`TRUNCATE TABLE sg.items`, `^TRUNCATE statements write$`),
	write(`DROP TABLE sg.items`, `^DROP statements are not read-only queries$`),
	write(`CREATE TABLE sg.evil AS SELECT 1 AS a`, `^CREATE statements`),
	write(`ALTER TABLE sg.items ADD COLUMN z INT`, `^ALTER statements`),
	write(`GRANT SELECT ON sg.items TO evil`, `^GRANT statements`),
	write(`REVOKE SELECT ON sg.items FROM evil`, `^REVOKE statements`),
	write(`CALL sg.proc()`, `^CALL statements`),
	write(`EXEC sg.proc`, `^EXEC statements`),
	write(`EXECUTE IMMEDIATE 'DELETE FROM sg.items'`, `^EXECUTE statements`),
	write(`COPY INTO sg.items FROM @stage`, `^COPY statements`),
	write(`PUT file:///tmp/x @stage`, `^PUT statements`),
	write(`SET x = 1`, `^SET statements`),
	write(`USE sg`, `^USE statements`),
	write(`BEGIN TRANSACTION`, `^BEGIN statements`),
	write(`COMMIT`, `^COMMIT statements`),
	write(`ROLLBACK`, `^ROLLBACK statements`),
	write(`LOCK TABLE sg.items`, `^LOCK statements`),
	write(`UNLOAD ('SELECT 1') TO 's3://bucket/x'`, `^UNLOAD statements`),
	write(`ATTACH 'evil.db' AS evil`, `^ATTACH statements`),
	write(`DETACH evil`, `^DETACH statements`),
	write(`INSTALL httpfs`, `^INSTALL statements`),
	write(`LOAD httpfs`, `^LOAD statements`),
	write(`PRAGMA enable_profiling`, `^PRAGMA statements`),
	write(`EXPORT DATABASE '/nonexistent/sluice-sqlguard'`, `^EXPORT statements`),
	write(`IMPORT DATABASE '/nonexistent/sluice-sqlguard'`, `^IMPORT statements`),
	write(`UNDROP TABLE sg.items`, `^UNDROP statements`),
	write(`RENAME TABLE sg.items TO sg.old`, `^RENAME statements`),
	write(`OPTIMIZE TABLE sg.items`, `^OPTIMIZE statements`),
	write(`VACUUM`, `^VACUUM statements`),
	write(`CHECKPOINT`, `^CHECKPOINT statements`),
	write(`DECLARE x INT64`, `^DECLARE statements`),
	write(`ANALYZE sg.items`, `^ANALYZE statements`),
	write(`WITH d AS (DELETE FROM sg.items) SELECT 1`, `^DELETE writes$`),
	write(`WITH x AS (SELECT 1 AS a) INSERT INTO sg.items SELECT a FROM x`, `^INSERT writes$`),
	write(`SELECT * INTO sg.items_copy FROM sg.items`, `^INTO writes a table`),
	write(`SELECT * FROM sg.items FOR UPDATE`, `^FOR UPDATE takes row locks$`),
	write(`SELECT * FROM sg.items FOR SHARE`, `^FOR SHARE takes row locks$`),
	write(`SELECT NEXT VALUE FOR sg.item_ids`, `^NEXT VALUE FOR writes a sequence$`),
	write(`SELECT 1; DELETE FROM sg.items`, `^2 statements; send one$`),
	write(`SELECT 1; SELECT 2;`, `^2 statements`),
	write(`SELECT 1;;`, `^empty statements between semicolons`),
	write(`SELECT 1 FROM sg.items WHERE id IN (SELECT id FROM sg.items WHERE 1 = 0) DELETE FROM sg.items`, `^DELETE writes$`),
	write(`EXPLAIN ANALYZE SELECT * FROM sg.items`, `^EXPLAIN ANALYZE executes the statement$`),
	write(`EXPLAIN DELETE FROM sg.items`, `^DELETE writes$`),
	write(`SELECT 1 /* /* */ DELETE FROM sg.items /* */`, `^could not parse: "/\*" inside a block comment`),
	write(`SELECT 'unterminated`, `^could not parse: unterminated string literal$`),
	lit(`SELECT 1 /* unterminated`, `^could not parse: unterminated block comment$`),
	write(`SELECT load FROM sg.metrics`, `^LOAD moves data`),
	write(``, `^no statement; send one$`),
	write(`; SELECT 1`, `^empty statements`),
	write(`1 + 1`, `^statement does not start with a keyword`),
	// Words that look like names but are statements' keywords, split off
	// by characters the lexer does not take as part of a word.
	lit("SELECT a\u00a0DELETE FROM sg.items", `^DELETE writes$`),
	lit("SELECT 1 --x\rDELETE FROM sg.items\n", `^DELETE writes$`),
	lit("SELECT 1DELETE FROM sg.items", `^DELETE writes$`),
}

// classifiedReads are statements every classified dialect must accept.
var classifiedReads = []string{
	`SELECT 1`,
	`SELECT 1;`,
	`SELECT i.id, o.name FROM sg.items AS i JOIN sg.items AS o ON o.id = i.id LEFT JOIN sg.other AS p ON p.id = i.id`,
	`WITH t AS (SELECT id, qty FROM sg.items) SELECT SUM(qty) FROM t`,
	`SELECT id, RANK() OVER (PARTITION BY name ORDER BY qty DESC) FROM sg.items`,
	`SELECT * FROM sg.items WHERE id IN (SELECT id FROM sg.items WHERE qty > (SELECT AVG(qty) FROM sg.items))`,
	`(SELECT 1) UNION ALL (SELECT 2)`,
	`SELECT 'DROP TABLE x; DELETE FROM sg.items; --' AS s`,
	`SELECT 1 AS "update", 2 AS "delete"`,
	`SELECT 1 -- INSERT INTO sg.items VALUES (1)
`,
	`/* DELETE FROM sg.items; */ SELECT 1`,
	`SELECT REPLACE(name, 'a', 'b'), LEFT(name, 1), COALESCE(qty, 0) FROM sg.items`,
	`SELECT CASE WHEN qty > 1 THEN 'many' ELSE 'few' END FROM sg.items`,
	`SELECT COUNT(*) FROM sg.items GROUP BY name HAVING COUNT(*) > 1 ORDER BY 1 DESC`,
	`SELECT "load", "set", "call" FROM sg.metrics`,
}

// Reads and writes particular to one classified dialect.
var (
	sqlserverWrites = []attempt{
		write(`SELECT * FROM sg.items WITH (UPDLOCK)`, `^UPDLOCK takes locks$`),
		write(`SELECT * FROM sg.items WITH (TABLOCKX, HOLDLOCK)`, `takes locks$`),
		write(`SELECT * FROM OPENROWSET(BULK 'c:\x', SINGLE_CLOB) AS x`, `^OPENROWSET reaches outside`),
		write(`SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')`, `^OPENQUERY`),
		write(`SELECT 1 WAITFOR DELAY '00:01:00'`, `^WAITFOR sleeps`),
		write(`SELECT 1 EXEC('DELETE FROM sg.items')`, `^EXEC runs`),
		write(`SELECT 1 DBCC CHECKDB`, `^DBCC`),
		write(`SELECT 1 SHUTDOWN`, `^SHUTDOWN`),
		write(`SELECT 1 DECLARE @x INT`, `^DECLARE`),
		write(`SELECT 1 RAISERROR('x', 10, 1) WITH LOG`, `^RAISERROR`),
		write(`SELECT insert('abc', 1, 2, 'x')`, `^INSERT writes$`),
		write(`SELECT 1 # DELETE`, `^DELETE writes$`),
		write(`SELECT 1 $$ DELETE $$`, `^DELETE writes$`),
	}
	sqlserverReads = []string{
		`SELECT TOP 10 * FROM [sg].[items] WITH (NOLOCK) ORDER BY [id]`,
		`SELECT [update], [delete]]x] FROM sg.items`,
		`SELECT N'DELETE', @@ROWCOUNT FROM #temp`,
		`SELECT 1 AS "x""delete"`,
		`WITH x AS (SELECT 1 AS a) SELECT a FROM x OPTION (MAXDOP 1)`,
	}
	bigqueryWrites = []attempt{
		write("SELECT * FROM EXTERNAL_QUERY('conn', 'DELETE FROM t')", `^function external_query runs SQL`),
		write("SELECT * FROM `external_query`('conn', 'DELETE FROM t')", `^function external_query runs SQL`),
		write("SELECT * FROM `region-us.external_query`('conn', 'DELETE FROM t')", `^function external_query runs SQL`),
		write(`EXPORT DATA OPTIONS (uri = 'gs://b/x') AS SELECT 1`, `^EXPORT`),
		write(`LOAD DATA INTO sg.items FROM FILES (uris = ['gs://b/x'])`, `^LOAD`),
		write(`SELECT 1 // DELETE FROM sg.items`, `^DELETE writes$`),
		lit(`SELECT 'a\'' DELETE FROM sg.items WHERE x = ''`, `^DELETE writes$`),
	}
	bigqueryReads = []string{
		"SELECT * FROM `project.dataset.update` WHERE x = \"DELETE\"",
		`SELECT '''it's a DELETE''', """INSERT "quoted" """, r'\d+', b'\x00'`,
		`SELECT 1 # DELETE FROM sg.items`,
		`SELECT "a\" DELETE"`,
		`SELECT * FROM sg.items FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()`,
	}
	snowflakeWrites = []attempt{
		write(`SELECT SYSTEM$WAIT(10)`, `^function system\$wait`),
		write(`SELECT SYSTEM$CANCEL_ALL_QUERIES(1)`, `^function system\$cancel_all_queries`),
		write(`SELECT "SYSTEM$CANCEL_ALL_QUERIES"(1)`, `^function system\$cancel_all_queries`),
		write(`SELECT sg.item_ids.NEXTVAL`, `^NEXTVAL writes a sequence$`),
		write(`GET @stage file:///tmp/`, `^GET statements`),
		write(`REMOVE @stage`, `^REMOVE statements`),
		write(`SELECT 1 # DELETE`, `^DELETE writes$`),
		write(`SELECT $a$ DELETE $a$`, `^DELETE writes$`),
	}
	snowflakeReads = []string{
		`SELECT INSERT(name, 1, 2, 'x'), TRUNCATE(1.5), GET(arr, 0) FROM sg.items`,
		`SELECT $$ DELETE FROM sg.items $$, 'it\'s DELETE', $1 FROM sg.items`,
		`SELECT 1 //DELETE`,
		`SHOW TABLES IN SCHEMA sg`,
		`DESCRIBE TABLE sg.items`,
		`SELECT * FROM sg.items AT (OFFSET => -60)`,
	}
	duckdbWrites = []attempt{
		write(`SELECT * FROM read_csv('/etc/hostname')`, `^function read_csv reaches outside`),
		write(`SELECT * FROM read_parquet('s3://b/x.parquet')`, `^function read_parquet`),
		write(`SELECT * FROM 'data.csv'`, `^FROM with a file name reads the file`),
		write(`SELECT * FROM "data.parquet"`, `^FROM with a file name`),
		write(`SELECT * FROM sg.items JOIN '/etc/x.csv' USING (id)`, `^JOIN with a file name`),
		write(`FROM '/etc/hostname'`, `^FROM with a file name`),
		write(`SELECT * FROM query('DELETE FROM sg.items')`, `^function query runs SQL`),
		write(`SELECT * FROM glob('/etc/*')`, `^function glob`),
		write(`SELECT getenv('HOME')`, `^function getenv`),
		write(`SELECT nextval('sg.item_ids')`, `^function nextval`),
		write(`SELECT * FROM postgres_scan('dbname=x', 'public', 't')`, `^function postgres_scan`),
		write(`SELECT * FROM ducklake_expire_snapshots('lake', dry_run => false)`, `^function ducklake_expire_snapshots changes the lake$`),
		write(`SELECT 1 # DELETE`, `^DELETE writes$`),
		write(`FORCE CHECKPOINT`, `^FORCE statements`),
		write(`SELECT * FROM sg.items; ATTACH 'x.db'`, `^2 statements`),
		write(`DESCRIBE '/etc/passwd'`, `^DESCRIBE with a file name reads the file`),
		write(`SELECT * FROM "query"('SELECT 42')`, `^function query runs SQL given as text$`),
		write(`SELECT * FROM main."QUERY"('SELECT 42')`, `^function query runs SQL`),
		write(`SELECT * FROM "glob"('/etc/*')`, `^function glob reaches outside`),
		write(`SELECT * FROM "read_csv"('/etc/hostname')`, `^function read_csv reaches outside`),
		// The allowlist: an extension's function DuckDB would load on first
		// use, a name DuckDB does not know, however it is called.
		write(`SELECT * FROM st_read('/etc/passwd')`, `^function st_read is not on the allowlist of read-only functions$`),
		write(`SELECT * FROM from_substrait('\x00'::BLOB)`, `^function from_substrait is not on the allowlist`),
		write(`SELECT "Evil_Macro"(1)`, `^function evil_macro is not on the allowlist`),
		write(`SELECT 'abc'.evil_macro()`, `^function evil_macro is not on the allowlist`),
		write(`SELECT main.evil_macro(id) FROM sg.items`, `^function evil_macro is not on the allowlist`),
		write(`WITH t AS (SELECT evil_macro(1) AS x) SELECT * FROM t`, `^function evil_macro is not on the allowlist`),
		write(`SELECT * FROM checkpoint()`, `^function checkpoint changes server state$`),
		write(`SUMMARIZE 'data.csv'`, `^SUMMARIZE with a file name`),
		write(`SHOW '/etc/passwd'`, `^SHOW with a file name`),
		write(`DESCRIBE SELECT * FROM "/etc/x.parquet"`, `^FROM with a file name`),
		write(`SELECT * FROM duckdb_secrets()`, `^function duckdb_secrets shows stored credentials$`),
		write(`SELECT which_secret('s3://b/x', 's3')`, `^function which_secret`),
	}
	duckdbReads = []string{
		`FROM sg.items`,
		`FROM sg.items SELECT id WHERE qty > 1`,
		`SUMMARIZE sg.items`,
		`DESCRIBE sg.items`,
		`SHOW TABLES`,
		`SELECT $$DELETE$$, $tag$ DROP TABLE x $tag$, E'it\'s DELETE', 'a\'`,
		`SELECT * FROM ducklake_snapshots('lake')`,
		`SELECT [1, 2, 3][1], {'a': 1}.a, list_transform([1], x -> x + 1)`,
		`SELECT i FROM range(3) t(i)`,
		`WITH t(a, b) AS (SELECT 1, 2) SELECT * FROM t`,
		`WITH t(a) AS MATERIALIZED (SELECT 1) SELECT * FROM t, sg.items AS x(p, q, r)`,
		`SELECT CAST(1 AS DECIMAL(10, 2)), TRY_CAST('1' AS INTEGER), 'abc'.upper(), 2::NUMERIC(4, 1)`,
		`SELECT COLUMNS('q.*'), if(true, 1, 2), coalesce(NULL, 1), struct_pack(a := 1) FROM sg.items`,
		`SELECT row_number() OVER (ORDER BY id), lag(id) OVER w, rank() OVER w FROM sg.items WINDOW w AS (ORDER BY id)`,
		`SELECT * FROM sg.items USING SAMPLE reservoir(10 ROWS)`,
		`SELECT date_trunc('day', now()), strftime(now(), '%Y'), json_extract('{"a": 1}', '$.a'), count(*) FILTER (WHERE id > 1) FROM sg.items`,
	}
)

// classifiedCorpus gathers each classified dialect's writes and reads.
var classifiedCorpus = map[connectors.Dialect]struct {
	writes []attempt
	reads  []string
}{
	connectors.DialectSQLServer: {with(classifiedWrites, sqlserverWrites), with(classifiedReads, sqlserverReads)},
	connectors.DialectBigQuery:  {with(classifiedWrites, bigqueryWrites), with(classifiedReads, bigqueryReads)},
	connectors.DialectSnowflake: {with(classifiedWrites, snowflakeWrites), with(classifiedReads, snowflakeReads)},
	connectors.DialectDuckDB:    {with(classifiedWrites, duckdbWrites), with(classifiedReads, duckdbReads)},
}

// with returns a new slice of the common entries followed by a dialect's own.
func with[T any](common, own []T) []T { return append(append([]T{}, common...), own...) }
