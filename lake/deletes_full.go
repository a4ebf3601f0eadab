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
// Only the older files' key (and mark) columns are read, no key set is
// built or joined.
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
	var older []int
	for i, f := range live {
		if f.Begin < merged {
			older = append(older, i)
		}
	}
	for start := 0; start < len(older); start += mergeBatch {
		batch := older[start:min(start+mergeBatch, len(older))]
		reads := make([]string, len(batch))
		for j, i := range batch {
			f := live[i]
			reads[j] = fmt.Sprintf("SELECT %d AS f, t.file_row_number AS r, true AS mark FROM read_parquet(%s, schema = %s, file_row_number = true) t WHERE %s",
				i, quoteString(ct.l.filePath(t, f.Path, f.Relative)), schema, strings.Join(conds, " AND "))
		}
		if err := d.exec(ctx, "INSERT INTO hits "+strings.Join(reads, " UNION ALL ")); err != nil {
			return fmt.Errorf("find rows the merge left behind: %w", err)
		}
	}
	return ct.dropDeletedHits(ctx, d, t, live)
}
