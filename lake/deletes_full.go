package lake

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// findLeftBehind fills "hits" (see findMissing) after a merge that read the
// whole source, at snapshot merged: every row still live in a file older
// than the merge and with no NULL key part was left behind by it, so its key
// is gone. Soft marks those not marked yet; a marked row stays as it is.
// Only the older files' key (and mark) columns and their delete files are
// read; no key set is built or joined.
func (ct *commitTx) findLeftBehind(ctx context.Context, d *duck, t *lakeTable, keyCols []schemaColumn, mark *schemaColumn, live []*dataFile, merged int64) error {
	if err := d.exec(ctx, "CREATE OR REPLACE TABLE hits (f INTEGER, r BIGINT, mark BOOLEAN)"); err != nil {
		return fmt.Errorf("find rows the merge left behind: %w", err)
	}
	readCols := keyCols
	conds := mapCols(keyCols, func(c schemaColumn) string { return "t." + c.Name + " IS NOT NULL" })
	if mark != nil {
		readCols = append(slices.Clip(keyCols), *mark)
		conds = append(conds, "t."+mark.Name+" IS NULL")
	}
	schema := readSchemaClause(readCols)
	// One file at a time: the positions a file's delete file already
	// deletes are the build side of its anti join, one file's worth of
	// memory; all of them at once (or every row of every older file, most
	// deleted, collected first) went past the memory limit.
	for i, f := range live {
		if f.Begin >= merged || (f.Delete != nil && f.Delete.Count >= f.Records) {
			continue
		}
		rows := fmt.Sprintf("SELECT %d AS f, t.file_row_number AS r, true AS mark FROM read_parquet(%s, schema = %s, file_row_number = true) t WHERE %s",
			i, quoteString(ct.l.filePath(t, f.Path, f.Relative)), schema, strings.Join(conds, " AND "))
		if f.Delete != nil {
			rows = fmt.Sprintf("SELECT * FROM (%s) e ANTI JOIN read_parquet(%s) x ON x.pos = e.r", rows, quoteString(ct.l.filePath(t, f.Delete.Path, f.Delete.Relative)))
		}
		if err := d.exec(ctx, "INSERT INTO hits "+rows); err != nil {
			return fmt.Errorf("find rows the merge left behind: %w", err)
		}
	}
	return nil
}
