package lake

import (
	"context"
	"fmt"
	"regexp"
)

// Data inlining: the official ducklake client keeps small inserts and
// deletes in the catalog instead of Parquet files (its default for fewer
// rows than DATA_INLINING_ROW_LIMIT): inserted rows in
// ducklake_inlined_data_<table id>_<schema version> tables listed in
// ducklake_inlined_data_tables, deleted positions of Parquet files in
// ducklake_inlined_delete_<table id>. sluice writes neither. Its reads see
// both (inlined_read.go); before it writes it looks for them: an overwrite
// ends the inlined rows with the rest of the table; a merge or delete
// detection, which would miss their keys, fails with an InlinedDataError
// saying how to flush them to Parquet; an append goes on (its rows cannot
// meet them). Table statistics count them.

// inlinedDataName is the name the official client gives an inlined table;
// only such names, read from the catalog, become SQL identifiers.
var inlinedDataName = regexp.MustCompile(`^ducklake_inlined_data_[0-9]+_[0-9]+$`)

// InlinedDataError means a lake table holds rows or deletes another DuckLake
// client inlined into the catalog, which sluice cannot merge with yet.
type InlinedDataError struct {
	Table         string
	Rows, Deletes int64
}

func (e *InlinedDataError) Error() string {
	return fmt.Sprintf("lake table %s has %d rows and %d deletes that another DuckLake client inlined into the catalog, which sluice cannot merge with yet; "+
		"flush them to Parquet with DuckDB (CALL ducklake_flush_inlined_data('<attached lake>')) or attach with DATA_INLINING_ROW_LIMIT 0, then run the sync again",
		e.Table, e.Rows, e.Deletes)
}

// inlinedState is what another client inlined for one table at a snapshot.
type inlinedState struct {
	tables        []string // existing inlined data tables of the table
	deleteTable   string   // its inlined delete table, "" when there is none
	rows, deletes int64    // live inlined rows; inlined deletes on live files
}

// inlined reads a table's inlined rows and deletes visible at a snapshot.
func (l *Lake) inlined(ctx context.Context, q querier, tableID, snap int64) (inlinedState, error) {
	var st inlinedState
	names, err := catalogNames(ctx, q, inlinedDataName, l.q(`SELECT table_name FROM {S}.ducklake_inlined_data_tables
		WHERE table_id = $1 ORDER BY schema_version`), tableID)
	if err != nil {
		return st, fmt.Errorf("read inlined data tables: %w", err)
	}
	for _, name := range names {
		if ok, err := l.catalogTableExists(ctx, q, name); err != nil || !ok {
			if err != nil {
				return st, err
			}
			continue
		}
		st.tables = append(st.tables, name)
		var n int64
		if err := q.QueryRow(ctx, l.q(`SELECT count(*) FROM {S}.`+quoteIdent(name)+` WHERE `+visibleAt("")), snap).Scan(&n); err != nil {
			return st, fmt.Errorf("count inlined rows: %w", err)
		}
		st.rows += n
	}
	name := fmt.Sprintf("ducklake_inlined_delete_%d", tableID)
	ok, err := l.catalogTableExists(ctx, q, name)
	if err != nil || !ok {
		return st, err
	}
	st.deleteTable = name
	err = q.QueryRow(ctx, l.q(`SELECT count(*) FROM {S}.`+quoteIdent(name)+` x JOIN {S}.ducklake_data_file d ON d.data_file_id = x.file_id
		WHERE x.begin_snapshot <= $1 AND `+visibleAt("d.")), snap).Scan(&st.deletes)
	if err != nil {
		return st, fmt.Errorf("count inlined deletes: %w", err)
	}
	return st, nil
}

// catalogNames runs a query of catalog table names and keeps those that
// match a pattern: only such names, read from the catalog, become SQL
// identifiers.
func catalogNames(ctx context.Context, q querier, pattern *regexp.Regexp, sql string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if pattern.MatchString(name) {
			names = append(names, name)
		}
	}
	return names, rows.Err()
}

// catalogTableExists reports whether the catalog schema has a table.
func (l *Lake) catalogTableExists(ctx context.Context, q querier, name string) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2)`,
		l.schema, name).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("look for catalog table %s: %w", name, err)
	}
	return ok, nil
}

// checkInlined lets a commit meet another client's inlined data: an
// overwrite ends the inlined rows, an append ignores them, anything that
// matches keys (merge, delete detection) fails with an InlinedDataError.
func (ct *commitTx) checkInlined(ctx context.Context, t *lakeTable, method LoadMethod) error {
	st, err := ct.l.inlined(ctx, ct.tx, t.ID, ct.prev.ID)
	if err != nil || st.rows+st.deletes == 0 {
		return err
	}
	switch method {
	case LoadAppend:
		return nil
	case LoadOverwrite:
		for _, name := range st.tables {
			if err := ct.exec(ctx, `UPDATE {S}.`+quoteIdent(name)+` SET end_snapshot = $1 WHERE end_snapshot IS NULL`, ct.id); err != nil {
				return err
			}
		}
		ct.change("inlined_delete", t.ID)
		ct.dataChanged = true
		return nil
	}
	return &InlinedDataError{Table: t.Schema.Name + "." + t.Name, Rows: st.rows, Deletes: st.deletes}
}
