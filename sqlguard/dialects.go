package sqlguard

import "github.com/sluice-dev/sluice/connectors"

// The lexers of the classified dialects, from each one's documented lexical
// rules.
var (
	sqlserverLexer = &lexer{brackets: true, wordStart: "@#", wordChars: "@#$"}
	bigqueryLexer  = &lexer{hashComments: true, backslashStrings: true, doubleQuoteStrings: true,
		tripleQuotes: true, backticks: true}
	snowflakeLexer = &lexer{slashComments: true, backslashStrings: true, dollars: dollarPlain, wordChars: "$"}
	duckdbLexer    = &lexer{escapeStrings: true, dollars: dollarTagged, wordChars: "$"}
)

// The rules of the classified dialects.
var (
	// SQL Server needs no semicolon between statements ("SELECT 1 DELETE t"
	// is two), so every keyword that can start a statement with side
	// effects is refused, along with the table hints that take locks and
	// the functions that query other servers.
	sqlserverRules = newRules(nil, map[string]string{
		"DBCC": kwChanges, "BACKUP": kwFiles, "RESTORE": kwFiles, "BULK": kwFiles,
		"SHUTDOWN": kwChanges, "KILL": kwChanges, "RECONFIGURE": kwChanges, "DENY": kwChanges,
		"ENABLE": kwChanges, "DISABLE": kwChanges, "SETUSER": kwChanges, "REVERT": kwChanges,
		"WAITFOR": whySleeps, "SEND": kwWrites, "RECEIVE": kwWrites,
		"UPDATETEXT": kwWrites, "WRITETEXT": kwWrites, "RAISERROR": kwWrites,
		"UPDLOCK": kwLocks, "XLOCK": kwLocks, "TABLOCK": kwLocks, "TABLOCKX": kwLocks, "HOLDLOCK": kwLocks,
		"OPENROWSET": whyOutside, "OPENQUERY": whyOutside, "OPENDATASOURCE": whyOutside,
	}, nil, funcDeny{})

	bigqueryRules = newRules(nil, nil, nil, funcDeny{exact: map[string]string{
		"external_query": whyRunsText,
	}})

	// Snowflake has functions named INSERT, TRUNCATE and GET; its
	// statements of those names never take "(" next.
	snowflakeRules = newRules(nil, map[string]string{
		"GET": kwFiles, "REMOVE": kwFiles, "RM": kwFiles, "NEXTVAL": whySequence,
	}, []string{"INSERT", "TRUNCATE", "GET"}, funcDeny{prefixes: []prefixRule{
		// SYSTEM$ functions cancel queries, abort sessions, wait and change
		// account state; the few that only read are not worth a list.
		{"system$", "is a system function that can change state"},
	}})

	duckdbRules = func() *rules {
		r := newRules([]string{"FROM", "SUMMARIZE"}, nil, nil, duckdbFuncs)
		r.fileScans = true
		r.allowed, r.notCalls = duckdbAllowed, duckdbNotCalls
		return r
	}()
)

// duckdbFuncs are the DuckDB table and scalar functions that read files or
// other databases, run SQL given as text, or write a sequence. DuckDB's own
// enable_external_access=false is the stronger defense for the file readers
// and should be set wherever DuckDB runs user SQL.
var duckdbFuncs = funcDeny{
	exact: map[string]string{
		"glob": whyOutside, "getenv": whyOutside, "sniff_csv": whyOutside,
		"query": whyRunsText, "query_table": whyRunsText, "json_execute_serialized_sql": whyRunsText,
		"nextval": whySequence, "setval": whySequence, "force_checkpoint": whyAdmin,
		"duckdb_secrets": "shows stored credentials", "which_secret": "shows stored credentials",
		"checkpoint": whyAdmin,
	},
	prefixes: []prefixRule{
		{"read_", whyOutside}, {"parquet_", whyOutside}, {"iceberg_", whyOutside},
		{"delta_", whyOutside}, {"sqlite_", whyOutside}, {"postgres_", whyOutside},
		{"mysql_", whyOutside}, {"http_", whyOutside},
		// DuckLake's maintenance functions rewrite and delete files.
		{"ducklake_", "changes the lake"},
	},
	allow: map[string]bool{
		"ducklake_snapshots": true, "ducklake_table_info": true, "ducklake_table_changes": true,
		"ducklake_table_insertions": true, "ducklake_table_deletions": true,
		"ducklake_list_files": true, "ducklake_options": true,
		"ducklake_current_snapshot": true, "ducklake_last_committed_snapshot": true,
	},
}

// classified pairs each classified dialect with its lexer and rules.
var classified = map[connectors.Dialect]struct {
	lexer *lexer
	rules *rules
}{
	connectors.DialectSQLServer: {sqlserverLexer, sqlserverRules},
	connectors.DialectBigQuery:  {bigqueryLexer, bigqueryRules},
	connectors.DialectSnowflake: {snowflakeLexer, snowflakeRules},
	connectors.DialectDuckDB:    {duckdbLexer, duckdbRules},
}
