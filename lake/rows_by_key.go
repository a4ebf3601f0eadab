package lake

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// RowsByKey hands each the table's current rows whose primary key is in
// keyFiles (files a TableWriter wrote with only the key columns), values in
// connectors.ResultSet's forms, with the names of their columns. A table not in the lake yet has no rows. Change data capture reads the
// values an update did not send (TOASTed, unchanged) and the rows a soft
// delete marks this way; nothing is buffered here, and values are not capped.
func (l *Lake) RowsByKey(ctx context.Context, schema, table string, keys []string, keyFiles []StagedFile, each func(names []string, row []any) error) error {
	ctx, release := withLease(ctx, l.cache)
	defer release()
	keyFiles, err := l.checkStaged(ctx, keyFiles)
	if err != nil {
		return err
	}
	snap, tables, err := l.currentTables(ctx)
	if err != nil {
		return err
	}
	t := findTable(tables, schema, table)
	if t == nil || len(keyFiles) == 0 {
		return nil
	}
	files, err := l.loadFiles(ctx, l.pool, snap.ID, t.ID)
	if err != nil {
		return err
	}
	view, err := l.viewSQL(t, files)
	if err != nil {
		return err
	}
	names := make([]string, len(t.Columns))
	keyCols := make([]schemaColumn, len(keys))
	match := make([]string, len(keys))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	for j, k := range keys {
		i := slices.Index(names, k)
		if i < 0 {
			return fmt.Errorf("primary key %s is not a column of %s.%s", k, schema, table)
		}
		keyCols[j] = schemaColumn{ID: t.Columns[i].ID, Name: fmt.Sprintf("k%d", j), Type: t.Columns[i].Type}
		match[j] = fmt.Sprintf("v.%s = s.k%d", quoteIdent(k), j)
	}
	wanted, err := sourceKeyQuery(keyCols, keys, keyFiles)
	if err != nil {
		return err
	}
	d, err := openDuck(ctx, l.Limits.WriterMemory, 2)
	if err != nil {
		return err
	}
	defer d.Close()
	rows, err := d.conn.QueryContext(ctx, fmt.Sprintf("SELECT v.* FROM (%s) v SEMI JOIN (%s) s ON %s", view, wanted, strings.Join(match, " AND ")))
	if err != nil {
		return l.hidePath(fmt.Errorf("read rows of %s.%s by key: %w", schema, table, err))
	}
	defer rows.Close()
	scanned := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range scanned {
		ptrs[i] = &scanned[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read rows of %s.%s by key: %w", schema, table, err)
		}
		row := make([]any, len(names))
		for i, v := range scanned {
			row[i] = normalize(v, t.Columns[i].Type)
		}
		if err := each(names, row); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return l.hidePath(fmt.Errorf("read rows of %s.%s by key: %w", schema, table, err))
	}
	return nil
}
