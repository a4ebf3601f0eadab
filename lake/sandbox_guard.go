package lake

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
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
		if name, ok := x["function_name"].(string); ok && introspection[strings.ToLower(name)] {
			return strings.ToLower(name) + "()"
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
