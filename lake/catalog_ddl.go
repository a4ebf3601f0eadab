package lake

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// specVersion is the DuckLake specification version the catalog follows.
const specVersion = "1.0"

// catalogTables is the DuckLake 1.0 catalog, table for table and column for
// column as the ducklake extension creates it (DuckDB type names are valid
// Postgres types). Readers query columns by name, but the extension writes
// positionally, so the order matters too.
var catalogTables = []string{
	`ducklake_metadata(key VARCHAR NOT NULL, value VARCHAR NOT NULL, scope VARCHAR, scope_id BIGINT)`,
	`ducklake_snapshot(snapshot_id BIGINT PRIMARY KEY, snapshot_time TIMESTAMPTZ, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT)`,
	`ducklake_snapshot_changes(snapshot_id BIGINT PRIMARY KEY, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR)`,
	`ducklake_schema(schema_id BIGINT PRIMARY KEY, schema_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)`,
	`ducklake_table(table_id BIGINT, table_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN)`,
	`ducklake_view(view_id BIGINT, view_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, sql VARCHAR, column_aliases VARCHAR)`,
	`ducklake_tag(object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)`,
	`ducklake_column_tag(table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR)`,
	`ducklake_data_file(data_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BOOLEAN, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT)`,
	`ducklake_file_column_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR)`,
	`ducklake_file_variant_stats(data_file_id BIGINT, table_id BIGINT, column_id BIGINT, variant_path VARCHAR, shredded_type VARCHAR, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR)`,
	`ducklake_delete_file(delete_file_id BIGINT PRIMARY KEY, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT)`,
	`ducklake_column(column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BOOLEAN, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR)`,
	`ducklake_table_stats(table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT)`,
	`ducklake_table_column_stats(table_id BIGINT, column_id BIGINT, contains_null BOOLEAN, contains_nan BOOLEAN, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR)`,
	`ducklake_partition_info(partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)`,
	`ducklake_partition_column(partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, transform VARCHAR)`,
	`ducklake_file_partition_value(data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR)`,
	`ducklake_files_scheduled_for_deletion(data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, schedule_start TIMESTAMPTZ)`,
	`ducklake_inlined_data_tables(table_id BIGINT, table_name VARCHAR, schema_version BIGINT)`,
	`ducklake_column_mapping(mapping_id BIGINT, table_id BIGINT, type VARCHAR)`,
	`ducklake_name_mapping(mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BOOLEAN)`,
	`ducklake_schema_versions(begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT)`,
	`ducklake_macro(schema_id BIGINT, macro_id BIGINT, macro_name VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT)`,
	`ducklake_macro_impl(macro_id BIGINT, impl_id BIGINT, dialect VARCHAR, sql VARCHAR, type VARCHAR)`,
	`ducklake_macro_parameters(macro_id BIGINT, impl_id BIGINT, column_id BIGINT, parameter_name VARCHAR, parameter_type VARCHAR, default_value VARCHAR, default_value_type VARCHAR)`,
	`ducklake_sort_info(sort_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT)`,
	`ducklake_sort_expression(sort_id BIGINT, table_id BIGINT, sort_key_index BIGINT, expression VARCHAR, dialect VARCHAR, sort_direction VARCHAR, null_order VARCHAR)`,
}

// sluiceTables are sluice's own tables in the catalog schema. DuckLake
// readers ignore tables they do not know.
var sluiceTables = []string{
	// One row per committed idempotency key, written in the commit's transaction.
	`sluice_commits(key TEXT PRIMARY KEY, snapshot_id BIGINT NOT NULL, rows_written BIGINT NOT NULL, bytes_written BIGINT NOT NULL, committed_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())`,
}

// ensureCatalog creates the catalog schema, its tables and the first
// snapshot unless they exist, under the lake's advisory lock so that
// concurrent Opens create them once.
func (l *Lake) ensureCatalog(ctx context.Context) error {
	tx, err := l.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.lockKey); err != nil {
		return fmt.Errorf("lock catalog: %w", err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, quoteIdent(l.schema)+".ducklake_metadata").Scan(&exists); err != nil {
		return fmt.Errorf("look for the catalog: %w", err)
	}
	if exists {
		if err := l.checkCatalog(ctx, tx); err != nil {
			return err
		}
	} else if err := l.createCatalog(ctx, tx); err != nil {
		return err
	}
	for _, t := range sluiceTables {
		if _, err := tx.Exec(ctx, l.q(`CREATE TABLE IF NOT EXISTS {S}.`+t)); err != nil {
			return fmt.Errorf("create sluice table: %w", err)
		}
	}
	return tx.Commit(ctx)
}

// createCatalog creates every catalog table and the initial state the
// ducklake extension creates: snapshot 0 with the schema "main".
func (l *Lake) createCatalog(ctx context.Context, tx pgx.Tx) error {
	var b strings.Builder
	b.WriteString(l.q("CREATE SCHEMA IF NOT EXISTS {S};\n"))
	for _, t := range catalogTables {
		b.WriteString(l.q("CREATE TABLE {S}." + t + ";\n"))
	}
	if _, err := tx.Exec(ctx, b.String()); err != nil {
		return fmt.Errorf("create catalog tables: %w", err)
	}
	seed := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO {S}.ducklake_snapshot VALUES (0, clock_timestamp(), 0, 1, 0)`, nil},
		{`INSERT INTO {S}.ducklake_snapshot_changes VALUES (0, 'created_schema:"main"', NULL, NULL, NULL)`, nil},
		{`INSERT INTO {S}.ducklake_metadata (key, value) VALUES ('version', $1), ('created_by', 'sluice'), ('data_path', $2), ('encrypted', 'false'), ('parquet_version', $3)`,
			[]any{specVersion, l.StorageURL(), newLakeParquetVersion}},
		{`INSERT INTO {S}.ducklake_schema VALUES (0, $1, 0, NULL, 'main', 'main/', true)`, []any{uuid.Must(uuid.NewV7())}},
	}
	for _, s := range seed {
		if _, err := tx.Exec(ctx, l.q(s.sql), s.args...); err != nil {
			return fmt.Errorf("seed catalog: %w", err)
		}
	}
	return nil
}

// ErrLakeElsewhere means a lake was opened on local files while its
// catalog says its files are on object storage.
var ErrLakeElsewhere = errors.New("lake files are on object storage")

// checkCatalog refuses a catalog of another specification version and keeps
// data_path pointing at where the lake's files are, since data file paths
// are stored relative to it. On object storage that is the bucket, the same
// for every process whatever its working directory, so processes with
// different data directories do not flip it back and forth.
func (l *Lake) checkCatalog(ctx context.Context, tx pgx.Tx) error {
	var version string
	err := tx.QueryRow(ctx, l.q(`SELECT value FROM {S}.ducklake_metadata WHERE key = 'version' AND scope IS NULL`)).Scan(&version)
	if err != nil {
		return fmt.Errorf("read catalog version: %w", err)
	}
	if version != specVersion {
		return fmt.Errorf("catalog %s is DuckLake %s; sluice writes DuckLake %s", l.schema, version, specVersion)
	}
	// A process without the bucket (SLUICE_LAKE_URL forgotten) must not
	// point the lake back at its own directory, where the files are not.
	var current string
	if err := tx.QueryRow(ctx, l.q(`SELECT value FROM {S}.ducklake_metadata WHERE key = 'data_path' AND scope IS NULL`)).Scan(&current); err != nil {
		return fmt.Errorf("read data path: %w", err)
	}
	if l.store == nil && strings.HasPrefix(current, "s3://") {
		return fmt.Errorf("%w: the lake's files are in %s; set SLUICE_LAKE_URL to that bucket", ErrLakeElsewhere, current)
	}
	_, err = tx.Exec(ctx, l.q(`UPDATE {S}.ducklake_metadata SET value = $1 WHERE key = 'data_path' AND scope IS NULL AND value <> $1`), l.StorageURL())
	if err != nil {
		return fmt.Errorf("update data path: %w", err)
	}
	return nil
}
