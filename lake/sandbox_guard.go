package lake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// The lake sandbox must not show the host: settings held the lake's absolute
// path and team id (allowed_directories), the home directory
// (secret_directory), and the views' SQL every file's path. Two layers:
// introspection functions are refused before a query runs (found in
// DuckDB's own parse tree, so quoting, case and catalog prefixes do not
// hide them), and every answer and error has the lake's paths replaced by
// "<lake>" for what the list does not name (information_schema.views,
// error messages).

// introspection are the functions a lake query may not call: settings,
// databases, extensions, secrets, files and the catalog's SQL text.
var introspection = map[string]bool{
	"current_setting": true, "getvariable": true, "duckdb_settings": true,
	"duckdb_databases": true, "duckdb_extensions": true, "duckdb_secrets": true,
	"duckdb_temporary_files": true, "duckdb_views": true, "duckdb_logs": true,
	"duckdb_log_contexts": true, "which_secret": true, "glob": true,
	"pragma_database_list": true, "pragma_database_size": true, "pragma_storage_info": true,
	"pragma_metadata_info": true, "pragma_show": true, "pragma_user_agent": true,
	"parquet_metadata": true, "parquet_file_metadata": true, "parquet_kv_metadata": true,
	"parquet_schema": true, "parquet_bloom_probe": true, "read_text": true, "read_blob": true,
	"sniff_csv": true, "getenv": true,
}

// refuseIntrospection parses the query with DuckDB's serializer and refuses
// it when it names an introspection function or a SHOW of the catalog.
func refuseIntrospection(ctx context.Context, conn *sql.Conn, query string) error {
	var tree sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", query).Scan(&tree); err != nil {
		return fmt.Errorf("parse the query: %w", err)
	}
	var doc any
	if err := json.Unmarshal([]byte(tree.String), &doc); err != nil {
		return fmt.Errorf("read the query's parse tree: %w", err)
	}
	if name := findIntrospection(doc); name != "" {
		return &connectors.QueryError{Kind: connectors.QueryErrPermission,
			Message: fmt.Sprintf("%s is not available in lake queries: the lake's settings, files and host are not shown", name)}
	}
	return nil
}

// findIntrospection walks a parse tree for a refused function or SHOW.
func findIntrospection(node any) string {
	switch x := node.(type) {
	case map[string]any:
		if name, ok := x["function_name"].(string); ok {
			if introspection[strings.ToLower(name)] {
				return strings.ToLower(name) + "()"
			}
			// system.main.repeat would reach past the builder macros.
			for _, q := range []string{"catalog", "schema"} {
				if v, _ := x[q].(string); strings.EqualFold(v, "system") {
					return "system." + strings.ToLower(name) + "()"
				}
			}
		}
		if t, _ := x["type"].(string); t == "SHOW_REF" {
			return "SHOW"
		}
		for _, v := range x {
			if found := findIntrospection(v); found != "" {
				return found
			}
		}
	case []any:
		for _, v := range x {
			if found := findIntrospection(v); found != "" {
				return found
			}
		}
	}
	return ""
}

// hostPaths are the strings scrubbed from answers and errors, longest first.
func (l *Lake) hostPaths() []string {
	paths := []string{l.dataPath}
	if root := filepath.Dir(l.dataPath); root != "/" && root != "." {
		paths = append(paths, root)
	}
	return paths
}

// scrub replaces the lake's paths in s by "<lake>".
func scrub(s string, paths []string) string {
	for _, p := range paths {
		if p != "" && strings.Contains(s, p) {
			s = strings.ReplaceAll(s, p, "<lake>")
		}
	}
	return s
}

// scrubResult replaces the lake's paths in every text value of an answer.
func scrubResult(res *connectors.ResultSet, paths []string) {
	for _, row := range res.Rows {
		for i, v := range row {
			row[i] = scrubValue(v, paths)
		}
	}
}

func scrubValue(v any, paths []string) any {
	switch x := v.(type) {
	case string:
		return scrub(x, paths)
	case connectors.JSON:
		return connectors.JSON(scrub(string(x), paths))
	case []any:
		for i, e := range x {
			x[i] = scrubValue(e, paths)
		}
	}
	return v
}

// builderMacros shadow the scalar functions that build one value of a size
// the caller names (repeat, lpad, rpad, range, generate_series,
// list_resize): DuckDB's memory_limit did not stop them (a 1.5 GB repeat
// took 2.9 GB; a list from range(200000000) 18 GB). Macros in the sandbox's
// own schema are found before the built-in functions; calls that name the
// system catalog are refused (findIntrospection). They must exist before
// the statement is prepared: preparing folds constant calls. What is left:
// a value built by other means (concatenation in a recursive query, printf
// widths, three-argument range) is bounded only by DuckDB's own accounting.
func builderMacros(limit int) []string {
	n := strconv.Itoa(limit)
	elems := strconv.Itoa(max(limit/8, 1))
	refuse := func(what string) string {
		return fmt.Sprintf("error('%s would build a value larger than a lake query''s %s-byte value cap (SLUICE_MAX_VALUE_BYTES)')", what, n)
	}
	// The size is checked inside the argument, so the refusal comes before
	// the built-in runs: a check around the call was folded after it (the
	// optimizer evaluates constant arguments bottom-up).
	check := func(cond, what, value string) string {
		return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", cond, refuse(what), value)
	}
	return []string{
		fmt.Sprintf("CREATE MACRO repeat(s, k) AS system.main.repeat(s, %s)", check("k * strlen(s::VARCHAR) > "+n, "repeat", "k")),
		fmt.Sprintf("CREATE MACRO lpad(s, k, p) AS system.main.lpad(s, %s, p)", check("k > "+n, "lpad", "k")),
		fmt.Sprintf("CREATE MACRO rpad(s, k, p) AS system.main.rpad(s, %s, p)", check("k > "+n, "rpad", "k")),
		fmt.Sprintf("CREATE MACRO list_resize(l, k) AS system.main.list_resize(l, %s), (l, k, v) AS system.main.list_resize(l, %[1]s, v)",
			check("k > "+elems, "list_resize", "k")),
		fmt.Sprintf("CREATE MACRO range(k) AS system.main.range(%s), (a, b) AS system.main.range(a, %s), (a, b, s) AS system.main.range(a, b, s)",
			check("k > "+elems, "range", "k"), check("b - a > "+elems, "range", "b")),
		fmt.Sprintf("CREATE MACRO generate_series(k) AS system.main.generate_series(%s), (a, b) AS system.main.generate_series(a, %s), "+
			"(a, b, s) AS system.main.generate_series(a, b, s)",
			check("k > "+elems, "generate_series", "k"), check("b - a > "+elems, "generate_series", "b")),
	}
}

// installBuilderMacros creates builderMacros in the sandbox.
func installBuilderMacros(ctx context.Context, conn *sql.Conn, limit int) error {
	for _, m := range builderMacros(limit) {
		if _, err := conn.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("create sandbox macro: %w", err)
		}
	}
	return nil
}
