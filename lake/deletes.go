package lake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// DeleteMode is what becomes of a lake row whose primary key the source no
// longer has.
type DeleteMode string

// Delete modes.
const (
	// DeleteKeep keeps the row as it was.
	DeleteKeep DeleteMode = "keep"
	// DeleteHard removes the row from the table (earlier snapshots keep it).
	DeleteHard DeleteMode = "hard"
	// DeleteSoft keeps the row and sets its DeletedAtColumn; a row whose key
	// comes back at the source has it cleared.
	DeleteSoft DeleteMode = "soft"
)

// DeletedAtColumn is the timestamptz column soft deletes set: when sluice
// found the row's key gone from the source, NULL while the source has it.
const DeletedAtColumn = "_sluice_deleted_at"

// DeleteRequest asks for the rows of a table whose keys the source no longer
// has to be deleted or marked, as one snapshot.
type DeleteRequest struct {
	Schema, Table string
	PrimaryKeys   []string
	Mode          DeleteMode
	// SourceKeys are every key the source has, in files a TableWriter wrote
	// with only the primary key columns; none means the source is empty.
	SourceKeys []StagedFile
	// AfterFullMerge, when set, is the snapshot of a merge into the table
	// that read every row the source has. That merge deleted every older row
	// whose key it read, so the rows still live in files older than it are
	// exactly those whose key the source no longer has: they are found
	// without comparing key sets, and SourceKeys are not read. (A marked row
	// whose key is back was replaced by that merge's fresh, unmarked copy.)
	AfterFullMerge int64
	// IdempotencyKey, when set, makes a second request with the same key
	// return the first one's result and change nothing.
	IdempotencyKey string
}

// DeleteResult describes a DeleteMissing commit.
type DeleteResult struct {
	SnapshotID int64 `json:"snapshot_id"`
	// Deleted counts rows removed (hard) or newly marked (soft).
	Deleted int64 `json:"deleted"`
	// Restored counts marked rows whose key is back at the source (soft);
	// zero for a deduplicated request.
	Restored     int64 `json:"restored"`
	Deduplicated bool  `json:"deduplicated"`
}

// DeleteMissing compares the table's live keys with the source's and, in one
// commit, removes (hard) or marks (soft) the rows whose key the source no
// longer has; soft also clears the mark of rows whose key is back. The keys
// are matched by DuckDB, the source's as the build side of an anti join
// spilling past the writer's memory limit, so no key set is held in Go.
// Rows with a NULL key part are never touched. A table not in the lake yet
// is left alone. The source key files are the caller's to remove.
func (l *Lake) DeleteMissing(ctx context.Context, req DeleteRequest) (DeleteResult, error) {
	if req.Schema == "" || req.Table == "" || len(req.PrimaryKeys) == 0 {
		return DeleteResult{}, errors.New("delete detection needs a schema, a table and primary keys")
	}
	if req.Mode != DeleteHard && req.Mode != DeleteSoft {
		return DeleteResult{}, fmt.Errorf("delete mode %q deletes nothing; use hard or soft", req.Mode)
	}
	ctx, release := withLease(ctx, l.cache)
	defer release()
	var err error
	if req.SourceKeys, err = l.checkStaged(ctx, req.SourceKeys); err != nil {
		return DeleteResult{}, err
	}
	var restored int64
	res, err := l.commitRetrying(ctx, req.Schema+"."+req.Table+" deletes", req.IdempotencyKey, func(ctx context.Context, ct *commitTx) (CommitResult, error) {
		res, r, err := ct.deleteMissing(ctx, req)
		restored = r
		return res, err
	})
	if err != nil || res.Deduplicated {
		restored = 0
	}
	return DeleteResult{SnapshotID: res.SnapshotID, Deleted: res.RowsWritten, Restored: restored, Deduplicated: res.Deduplicated}, err
}

// deleteMissing finds the rows to delete, mark or restore in a table
// "hits" (f: index in live, r: row position, mark), writes delete files for
// their positions and, for soft deletes, a data file with the rows again,
// marked or cleared. It returns the rows deleted or marked as RowsWritten
// (bytes of the rewritten rows as BytesWritten) and the rows restored.
func (ct *commitTx) deleteMissing(ctx context.Context, req DeleteRequest) (CommitResult, int64, error) {
	var res CommitResult
	tables, err := ct.l.loadTables(ctx, ct.tx, ct.prev.ID)
	if err != nil {
		return res, 0, err
	}
	current := findTable(tables, req.Schema, req.Table)
	if current == nil {
		return res, 0, nil
	}
	soft := req.Mode == DeleteSoft
	t, plan, err := ct.prepareTable(ctx, CommitRequest{Schema: req.Schema, Table: req.Table, Columns: tableColumns(current, soft)})
	if err != nil {
		return res, 0, err
	}
	keyCols, err := keyColumns(plan, req.PrimaryKeys)
	if err != nil {
		return res, 0, err
	}
	live, err := ct.l.loadFiles(ctx, ct.tx, ct.prev.ID, t.ID)
	if err != nil || len(live) == 0 {
		return res, 0, err
	}
	d, err := ct.getDuck(ctx)
	if err != nil {
		return res, 0, err
	}
	var mark *schemaColumn
	if soft {
		fc := plan.Files[len(plan.Files)-1] // tableColumns puts it last
		mark = &schemaColumn{ID: fc.FieldID, Name: "d", Type: fc.Type}
	}
	// Every join here has its build side on the right as written (the
	// source's keys, a file's delete positions, the few hits): DuckDB's
	// guess from estimates built the rewrite's join on the data file's
	// rows and ran out of memory.
	if err := d.exec(ctx, "SET disabled_optimizers = 'build_side_probe_side'"); err != nil {
		return res, 0, fmt.Errorf("configure delete detection: %w", err)
	}
	if req.AfterFullMerge > 0 {
		err = ct.findLeftBehind(ctx, d, t, keyCols, mark, live, req.AfterFullMerge)
	} else {
		err = ct.findMissing(ctx, d, t, keyCols, req.PrimaryKeys, mark, live, req.SourceKeys)
	}
	if err != nil {
		return res, 0, err
	}
	var marked, restored int64
	if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FILTER (WHERE mark), count(*) FILTER (WHERE NOT mark) FROM hits").Scan(&marked, &restored); err != nil {
		return res, 0, fmt.Errorf("count missing keys: %w", err)
	}
	res.RowsWritten = marked
	if marked+restored == 0 {
		return res, 0, nil
	}
	if err := ct.deleteExisting(ctx, d, t, live); err != nil {
		return res, 0, err
	}
	var added []StagedFile
	if soft {
		f, err := ct.rewriteMarked(ctx, d, t, plan, live)
		if err != nil {
			return res, 0, err
		}
		added = []StagedFile{f}
		res.BytesWritten = f.SizeBytes
	}
	if err := ct.updateTableStats(ctx, t, plan, added); err != nil {
		return res, 0, err
	}
	return res, restored, nil
}

// tableColumns are a table's current columns, with DeletedAtColumn last when
// soft deletes need it (added to the table if it is new).
func tableColumns(t *lakeTable, soft bool) []connectors.Column {
	cols := make([]connectors.Column, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		if soft && c.Name == DeletedAtColumn {
			continue
		}
		cols = append(cols, connectors.Column{Name: c.Name, Type: c.Type})
	}
	if soft {
		cols = append(cols, connectors.Column{Name: DeletedAtColumn, Type: connectors.Type{Kind: connectors.KindTimestampTZ}})
	}
	return cols
}

// findMissing fills "hits" with the live rows to change: hard, every row
// whose key is not among the source's; soft, unmarked rows whose key is not
// among them (mark) and marked rows whose key is (not mark). Rows already
// deleted by a delete file are skipped.
func (ct *commitTx) findMissing(ctx context.Context, d *duck, t *lakeTable, keyCols []schemaColumn, names []string, mark *schemaColumn, live []*dataFile, sourceKeys []StagedFile) error {
	srcKeys, err := sourceKeyQuery(keyCols, names, sourceKeys)
	if err != nil {
		return err
	}
	// One batch reads the key files straight into the join's hash table;
	// several read them once into a table.
	kind := "VIEW"
	if len(live) > mergeBatch {
		kind = "TABLE"
	}
	if err := d.exec(ctx, "CREATE OR REPLACE "+kind+" srckeys AS "+srcKeys+
		"; CREATE OR REPLACE TABLE hits (f INTEGER, r BIGINT, mark BOOLEAN)"); err != nil {
		return fmt.Errorf("read the source's keys: %w", err)
	}
	readCols := keyCols
	if mark != nil {
		readCols = append(slices.Clip(keyCols), *mark)
	}
	schema := readSchemaClause(readCols)
	var match, notNull []string
	for _, k := range keyCols {
		match = append(match, fmt.Sprintf("e.%[1]s = s.%[1]s", k.Name))
		notNull = append(notNull, "t."+k.Name+" IS NOT NULL")
	}
	for start := 0; start < len(live); start += mergeBatch {
		end := min(start+mergeBatch, len(live))
		reads := make([]string, 0, end-start)
		for i := start; i < end; i++ {
			f := live[i]
			reads = append(reads, fmt.Sprintf("SELECT %d AS f, t.file_row_number AS r, %s FROM read_parquet(%s, schema = %s, file_row_number = true) t WHERE %s",
				i, strings.Join(mapCols(readCols, func(c schemaColumn) string { return "t." + c.Name }), ", "),
				quoteString(ct.l.filePath(t, f.Path, f.Relative)), schema, strings.Join(notNull, " AND ")))
		}
		lakeRows := strings.Join(reads, " UNION ALL ")
		query := fmt.Sprintf("INSERT INTO hits SELECT e.f, e.r, true FROM (%s) e ANTI JOIN srckeys s ON %s", lakeRows, strings.Join(match, " AND "))
		if mark != nil {
			// A key gone and unmarked is marked; a key back and marked is restored.
			query = fmt.Sprintf(`INSERT INTO hits SELECT e.f, e.r, s.present IS NULL FROM (%s) e
				LEFT JOIN (SELECT *, true AS present FROM srckeys) s ON %s WHERE (s.present IS NULL) = (e.d IS NULL)`,
				lakeRows, strings.Join(match, " AND "))
		}
		if err := d.exec(ctx, query); err != nil {
			return fmt.Errorf("match the lake's keys against the source's: %w", err)
		}
	}
	return ct.dropDeletedHits(ctx, d, t, live)
}

// dropDeletedHits removes from "hits" the rows delete files already delete
// (earlier versions of merged rows, rows deleted before), which must be
// neither counted nor rewritten. The hits, few, are the build side; the
// delete files of the files they touch stream past them. (Excluding those
// positions while reading every row instead would build a hash table per
// delete file, together past the memory limit after a full merge.)
func (ct *commitTx) dropDeletedHits(ctx context.Context, d *duck, t *lakeTable, live []*dataFile) error {
	touched, err := hitFiles(ctx, d)
	if err != nil {
		return err
	}
	var reads []string
	for _, i := range touched {
		if del := live[i].Delete; del != nil {
			reads = append(reads, fmt.Sprintf("SELECT %d AS f, pos FROM read_parquet(%s)", i, quoteString(ct.l.filePath(t, del.Path, del.Relative))))
		}
	}
	if len(reads) == 0 {
		return nil
	}
	if err := d.exec(ctx, fmt.Sprintf(`CREATE OR REPLACE TABLE dead AS SELECT x.f, x.pos FROM (%s) x SEMI JOIN hits h ON h.f = x.f AND h.r = x.pos;
		DELETE FROM hits USING dead WHERE hits.f = dead.f AND hits.r = dead.pos`, strings.Join(reads, " UNION ALL "))); err != nil {
		return fmt.Errorf("skip rows already deleted: %w", err)
	}
	return nil
}

// hitFiles lists the indexes in live of the files "hits" touches.
func hitFiles(ctx context.Context, d *duck) ([]int, error) {
	matches, err := matchesPerFile(ctx, d, "hits")
	out := make([]int, len(matches))
	for i, m := range matches {
		out[i] = m.file
	}
	return out, err
}

// sourceKeyQuery reads the source's key files as k0, k1, … in the lake's
// key types, each file's columns found by name; no files read as no keys. A
// file without a key column is an error: read as NULLs, its keys would
// match nothing and every row would look deleted.
func sourceKeyQuery(keyCols []schemaColumn, names []string, files []StagedFile) (string, error) {
	return keyFileQuery(keyCols, names, files, nil)
}

// keyFileQuery is sourceKeyQuery with, when tags is set, each key's file's
// tag as the column a.
func keyFileQuery(keyCols []schemaColumn, names []string, files []StagedFile, tags []int) (string, error) {
	if len(files) == 0 {
		none := mapCols(keyCols, func(c schemaColumn) string { return fmt.Sprintf("CAST(NULL AS %s) AS %s", readType(c.Type), c.Name) })
		if tags != nil {
			none = append(none, "CAST(NULL AS INTEGER) AS a")
		}
		return "SELECT " + strings.Join(none, ", ") + " LIMIT 0", nil
	}
	// Files whose key columns have the same field ids are read in one scan:
	// as the build side of a join, a scan per file gave the hash table a
	// sink per file, whose buffers alone took 160 MiB.
	var schemas []string
	paths := map[string][]string{}
	tagged := map[string][]string{}
	for i, f := range files {
		cols := slices.Clone(keyCols)
		for j, name := range names {
			k := slices.IndexFunc(f.Columns, func(c FileColumn) bool { return c.Name == name })
			if k < 0 {
				return "", fmt.Errorf("source key file %s has no column %s", f.Path, name)
			}
			cols[j].ID = f.Columns[k].FieldID
		}
		schema := readSchemaClause(cols)
		if _, seen := paths[schema]; !seen {
			schemas = append(schemas, schema)
		}
		paths[schema] = append(paths[schema], quoteString(f.Path))
		if tags != nil {
			tagged[schema] = append(tagged[schema], fmt.Sprintf("(%s, %d)", quoteString(f.Path), tags[i]))
		}
	}
	reads := make([]string, len(schemas))
	for i, schema := range schemas {
		scan := fmt.Sprintf("read_parquet([%s], schema = %s", strings.Join(paths[schema], ", "), schema)
		if tags == nil {
			reads[i] = fmt.Sprintf("SELECT %s FROM %s)", joinNames(keyCols), scan)
			continue
		}
		keys := strings.Join(mapCols(keyCols, func(c schemaColumn) string { return "t." + c.Name }), ", ")
		reads[i] = fmt.Sprintf("SELECT %s, m.a FROM %s, filename = true) t JOIN (VALUES %s) m(file, a) ON t.filename = m.file",
			keys, scan, strings.Join(tagged[schema], ", "))
	}
	return strings.Join(reads, " UNION ALL "), nil
}

// rewriteMarked writes the hit rows again, in one new data file, with
// DeletedAtColumn set for those to mark and NULL for those to restore, and
// records it in the table; their old positions are deleted by the caller.
func (ct *commitTx) rewriteMarked(ctx context.Context, d *duck, t *lakeTable, plan columnPlan, live []*dataFile) (StagedFile, error) {
	cols := make([]schemaColumn, len(plan.Files))
	for i, c := range plan.Files {
		cols[i] = schemaColumn{ID: c.FieldID, Name: fmt.Sprintf("c%d", i), Type: c.Type}
	}
	last := len(plan.Files) - 1
	sel := selectList(plan.Files, func(i int, c FileColumn) string {
		if i == last {
			return "CASE WHEN h.mark THEN now() END::TIMESTAMPTZ"
		}
		return castTo(c.Type)("t." + cols[i].Name)
	})
	touched, err := hitFiles(ctx, d)
	if err != nil {
		return StagedFile{}, err
	}
	// One scan of the touched files against the hits, each named by its
	// path: a join per file built a hash table per file, together past the
	// memory limit when a soft delete touches every file of a large table.
	paths := make([]string, len(touched))
	files := make([]string, len(touched))
	for j, i := range touched {
		paths[j] = quoteString(ct.l.filePath(t, live[i].Path, live[i].Relative))
		files[j] = fmt.Sprintf("(%d, %s)", i, paths[j])
	}
	query := fmt.Sprintf(`SELECT %s FROM read_parquet([%s], schema = %s, file_row_number = true, filename = true) t
		JOIN (SELECT m.file, h.r, h.mark FROM hits h JOIN (VALUES %s) m(f, file) ON h.f = m.f) h
		ON t.filename = h.file AND t.file_row_number = h.r`,
		sel, strings.Join(paths, ", "), readSchemaClause(cols), strings.Join(files, ", "))
	format, err := ct.fileFormat(ctx, t)
	if err != nil {
		return StagedFile{}, err
	}
	f, err := d.writeStaged(ctx, query, ct.l.tableDir(t), plan.Files, format)
	if err != nil {
		return StagedFile{}, fmt.Errorf("rewrite marked rows: %w", err)
	}
	ct.created = append(ct.created, f.Path)
	if _, err := ct.insertDataFiles(ctx, t, []StagedFile{f}); err != nil {
		return StagedFile{}, err
	}
	ct.change("inserted_into_table", t.ID)
	ct.dataChanged = true
	return f, nil
}
