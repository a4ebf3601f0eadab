package lake

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// relPath stores a file's path relative to its table's directory when it is
// inside it, as the ducklake extension does, and absolute otherwise.
func relPath(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path, false
	}
	return filepath.ToSlash(rel), true
}

// insertDataFiles records staged files as data files of the table with
// their column statistics, and returns their data_file_ids. Row ids
// continue from the table's next_row_id.
func (ct *commitTx) insertDataFiles(ctx context.Context, t *lakeTable, files []StagedFile) ([]int64, error) {
	if len(files) == 0 {
		return nil, nil
	}
	nextRowID, err := ct.nextRowID(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	dir := ct.l.tableDir(t)
	batch := &pgx.Batch{}
	ids := make([]int64, len(files))
	for i, f := range files {
		ids[i] = ct.fileID()
		path, relative := relPath(dir, f.Path)
		batch.Queue(ct.l.q(`INSERT INTO {S}.ducklake_data_file VALUES
			($1, $2, $3, NULL, NULL, $4, $5, 'parquet', $6, $7, $8, $9, NULL, NULL, NULL, NULL)`),
			ids[i], t.ID, ct.id, path, relative, f.Rows, f.SizeBytes, f.FooterSize, nextRowID)
		nextRowID += f.Rows
		for _, s := range f.Stats {
			valueCount := s.ValueCount
			if valueCount == nil && s.NullCount != nil && f.leafOfTopLevel(s.FieldID) {
				v := f.Rows - *s.NullCount
				valueCount = &v
			}
			batch.Queue(ct.l.q(`INSERT INTO {S}.ducklake_file_column_stats VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`),
				ids[i], t.ID, s.FieldID, s.SizeBytes, valueCount, s.NullCount, s.Min, s.Max, s.ContainsNaN)
		}
	}
	if err := ct.tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, fmt.Errorf("insert data files: %w", err)
	}
	return ids, nil
}

// nextRowID reads the table's next row id (0 before its first file).
func (ct *commitTx) nextRowID(ctx context.Context, tableID int64) (int64, error) {
	var next int64
	err := ct.tx.QueryRow(ctx, ct.l.q(`SELECT COALESCE(max(next_row_id), 0) FROM {S}.ducklake_table_stats WHERE table_id = $1`), tableID).Scan(&next)
	if err != nil {
		return 0, fmt.Errorf("read next row id: %w", err)
	}
	return next, nil
}

// endFiles removes data files (and their delete files) from the table as of
// this snapshot; they stay readable at earlier snapshots.
func (ct *commitTx) endFiles(ctx context.Context, t *lakeTable, files []*dataFile) error {
	if len(files) == 0 {
		return nil
	}
	ids := make([]int64, len(files))
	for i, f := range files {
		ids[i] = f.ID
	}
	if err := ct.exec(ctx, `UPDATE {S}.ducklake_data_file SET end_snapshot = $1
		WHERE table_id = $2 AND end_snapshot IS NULL AND data_file_id = ANY($3)`, ct.id, t.ID, ids); err != nil {
		return err
	}
	if err := ct.exec(ctx, `UPDATE {S}.ducklake_delete_file SET end_snapshot = $1
		WHERE table_id = $2 AND end_snapshot IS NULL AND data_file_id = ANY($3)`, ct.id, t.ID, ids); err != nil {
		return err
	}
	ct.change("deleted_from_table", t.ID)
	ct.dataChanged = true
	return nil
}

// replaceDeleteFile makes a new delete file the one that applies to a data
// file from this snapshot on. With a previous one (old), the new file is a
// partial deletion file, as the official writer makes it: it holds every
// position with the snapshot that deleted it (deletePositions,
// writeDeleteFile with snapshots), begins where the old one began, records
// this snapshot as partial_max, and replaces the old one's row, whose file
// is scheduled for deletion. Readers at earlier snapshots skip the later
// positions, and ducklake_table_changes counts each deleted row once (a
// chain of ended full-union files counted the early positions again in
// every later file).
func (ct *commitTx) replaceDeleteFile(ctx context.Context, t *lakeTable, dataFileID int64, old *deleteFile, f deleteWrite) error {
	begin, partialMax := ct.id, (*int64)(nil)
	if old != nil {
		begin, partialMax = old.Begin, &ct.id
		if err := ct.exec(ctx, `DELETE FROM {S}.ducklake_delete_file WHERE delete_file_id = $1`, old.ID); err != nil {
			return err
		}
		abs := ct.l.filePath(t, old.Path, old.Relative)
		path, relative := relPath(ct.l.dataPath, abs)
		if err := ct.exec(ctx, `INSERT INTO {S}.ducklake_files_scheduled_for_deletion VALUES ($1, $2, $3, now())`, old.ID, path, relative); err != nil {
			return err
		}
	}
	path, relative := relPath(ct.l.tableDir(t), f.Path)
	return ct.exec(ctx, `INSERT INTO {S}.ducklake_delete_file VALUES ($1, $2, $3, NULL, $4, $5, $6, 'parquet', $7, $8, $9, NULL, $10)`,
		ct.fileID(), t.ID, begin, dataFileID, path, relative, f.Count, f.Size, f.FooterSize, partialMax)
}

// snapshotIDColumn is the column of a delete file that holds, per position,
// the snapshot that deleted it, with the field id the official writer gives
// it (Iceberg's _last_updated_sequence_number).
const (
	snapshotIDColumn  = "_ducklake_internal_snapshot_id"
	snapshotIDFieldID = 2147483539
)

// deletePositions is the query (pos, snap) of a data file's deleted
// positions after this snapshot: fresh, a query of positions (pos) this
// snapshot deletes, and those its delete file already held, each with the
// snapshot that first deleted it.
func (ct *commitTx) deletePositions(t *lakeTable, f *dataFile, fresh string) string {
	q := fmt.Sprintf("SELECT pos, %d AS snap FROM (%s)", ct.id, fresh)
	if f.Delete != nil {
		snap := fmt.Sprint(f.Delete.Begin)
		if f.Delete.Embedded {
			snap = snapshotIDColumn
		}
		q += fmt.Sprintf(" UNION ALL SELECT pos, %s AS snap FROM read_parquet(%s)", snap, quoteString(ct.l.filePath(t, f.Delete.Path, f.Delete.Relative)))
	}
	return "SELECT pos, min(snap) AS snap FROM (" + q + ") GROUP BY pos"
}

// deletedPositions is the relation (pos) of the positions a delete file
// deletes at the snapshot its data file was loaded at, with those another
// client deleted inline.
func (l *Lake) deletedPositions(t *lakeTable, d *deleteFile) string {
	var parts []string
	if d.Path != "" {
		path := quoteString(l.filePath(t, d.Path, d.Relative))
		filter := ""
		if d.Upto != nil {
			filter = fmt.Sprintf(" WHERE %s <= %d", snapshotIDColumn, *d.Upto)
		}
		parts = append(parts, "SELECT pos FROM read_parquet("+path+")"+filter)
	}
	if len(d.Inline) > 0 {
		lits := make([]string, len(d.Inline))
		for i, p := range d.Inline {
			lits[i] = strconv.FormatInt(p, 10)
		}
		parts = append(parts, "SELECT unnest(["+strings.Join(lits, ", ")+"]::BIGINT[]) AS pos")
	}
	return "(" + strings.Join(parts, " UNION ALL ") + ")"
}

// leafOfTopLevel reports whether a statistics field id is a top-level,
// non-list column of the file, whose non-NULL values are its rows minus its
// NULLs (a list element's are not).
func (f StagedFile) leafOfTopLevel(id int64) bool {
	for _, c := range f.Columns {
		if c.FieldID == id {
			return c.Elem == nil
		}
	}
	return false
}
