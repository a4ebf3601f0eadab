package lake

import (
	"context"
	"fmt"
	"path/filepath"
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
// file from this snapshot on, ending the previous one.
func (ct *commitTx) replaceDeleteFile(ctx context.Context, t *lakeTable, dataFileID int64, old *deleteFile, f deleteWrite) error {
	if old != nil {
		if err := ct.exec(ctx, `UPDATE {S}.ducklake_delete_file SET end_snapshot = $1 WHERE delete_file_id = $2`, ct.id, old.ID); err != nil {
			return err
		}
	}
	path, relative := relPath(ct.l.tableDir(t), f.Path)
	return ct.exec(ctx, `INSERT INTO {S}.ducklake_delete_file VALUES ($1, $2, $3, NULL, $4, $5, $6, 'parquet', $7, $8, $9, NULL, NULL)`,
		ct.fileID(), t.ID, ct.id, dataFileID, path, relative, f.Count, f.Size, f.FooterSize)
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
