package lake

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

// The ducklake extension's names and Parquet field ids for the row id a
// rewritten file carries (Iceberg's reserved _row_id id): a compacted file
// holds rows of many files with gaps where rows were deleted, so each row's
// id is stored instead of being derived from row_id_start.
const (
	rowIDColumn  = "_ducklake_internal_row_id"
	rowIDFieldID = 2147483540
)

// rowIDType is the row id column's type.
var rowIDType = connectors.Scalar(connectors.KindInt)

// CompactOptions choose which files a compaction merges.
type CompactOptions struct {
	// SmallFileBytes: live data files smaller than this are merged; zero
	// means DefaultSmallFileBytes.
	SmallFileBytes int64
	// TargetRows bounds the rows of one compacted file; zero means
	// DefaultCompactRows.
	TargetRows int64
}

// Compaction defaults: a merge of a few rows writes a file of a few KiB, and
// reading hundreds of them costs far more than their bytes; files past 16
// MiB are already worth their open.
const (
	DefaultSmallFileBytes = 16 << 20
	DefaultCompactRows    = 1 << 20
)

// CompactResult says what compacting one table did.
type CompactResult struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
	// FilesBefore and FilesAfter count the table's live data files.
	FilesBefore int `json:"files_before"`
	FilesAfter  int `json:"files_after"`
	// SnapshotID is the snapshot the compaction wrote; zero if it wrote none.
	SnapshotID int64 `json:"snapshot_id,omitempty"`
}

// CompactTable merges a table's small live data files, minus the rows
// their delete files remove, into larger files in one new snapshot: the
// new files begin at it and the merged ones (and their delete files) end at
// it, so earlier snapshots read exactly what they read before (time travel)
// until snapshot expiry lets the old files go. Every row keeps its row id,
// stored in the file as the ducklake extension's rewrites do. A table with
// fewer than two small files (and no small file with deletes) is left as it
// is. Like a commit, it holds the lake's lock while it writes, so commits to
// the lake wait for it.
func (l *Lake) CompactTable(ctx context.Context, schema, table string, opts CompactOptions) (CompactResult, error) {
	if opts.SmallFileBytes <= 0 {
		opts.SmallFileBytes = DefaultSmallFileBytes
	}
	if opts.TargetRows <= 0 {
		opts.TargetRows = DefaultCompactRows
	}
	out := CompactResult{Schema: schema, Table: table}
	res, err := l.commitRetrying(ctx, "compaction of "+schema+"."+table, "", func(ctx context.Context, ct *commitTx) (CommitResult, error) {
		tables, err := ct.l.loadTables(ctx, ct.tx, ct.prev.ID)
		if err != nil {
			return CommitResult{}, err
		}
		t := findTable(tables, schema, table)
		if t == nil {
			return CommitResult{}, fmt.Errorf("%w: table %s.%s does not exist in the lake", errNoTable, schema, table)
		}
		byTable, err := ct.l.readFiles(ctx, ct.tx, ct.prev.ID, &t.ID)
		if err != nil {
			return CommitResult{}, err
		}
		live := byTable[t.ID] // only the groups' files are read (compact fetches them)
		out.FilesBefore, out.FilesAfter = len(live), len(live)
		groups := compactionGroups(live, opts)
		if len(groups) == 0 {
			return CommitResult{}, nil
		}
		n, err := ct.compact(ctx, t, groups)
		out.FilesAfter = len(live) - n
		return CommitResult{}, err
	})
	if err != nil {
		return out, err
	}
	if out.FilesAfter != out.FilesBefore {
		out.SnapshotID = res.SnapshotID
	}
	return out, nil
}

// errNoTable means a maintenance step named a table the lake does not have.
var errNoTable = fmt.Errorf("no such lake table")

// compactionGroups splits a table's small files into runs of at most
// TargetRows live rows, each to become one file. A run of one file is kept
// only if rewriting it drops deleted rows.
func compactionGroups(live []*dataFile, opts CompactOptions) [][]*dataFile {
	var groups [][]*dataFile
	var cur []*dataFile
	var rows int64
	flush := func() {
		if len(cur) > 1 || (len(cur) == 1 && cur[0].Delete != nil) {
			groups = append(groups, cur)
		}
		cur, rows = nil, 0
	}
	for _, f := range live {
		if f.Size >= opts.SmallFileBytes {
			continue
		}
		n := f.Records
		if f.Delete != nil {
			n -= f.Delete.Count
		}
		if len(cur) > 0 && rows+n > opts.TargetRows {
			flush()
		}
		cur = append(cur, f)
		rows += n
	}
	flush()
	return groups
}

// compact writes one file per group and swaps them in; it returns how many
// live files fewer the table has.
func (ct *commitTx) compact(ctx context.Context, t *lakeTable, groups [][]*dataFile) (int, error) {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, rowIDColumn) || strings.EqualFold(c.Name, "file_row_number") || strings.EqualFold(c.Name, "filename") {
			return 0, fmt.Errorf("table %s.%s has a column named %s, which compaction cannot rewrite", t.Schema.Name, t.Name, c.Name)
		}
	}
	d, err := ct.getDuck(ctx)
	if err != nil {
		return 0, err
	}
	var maxID int64
	cols := make([]FileColumn, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		cols = append(cols, existingFileColumn(c, c.Type, &maxID))
	}
	cols = append(cols, FileColumn{Name: rowIDColumn, Type: rowIDType, FieldID: rowIDFieldID})
	format, err := ct.fileFormat(ctx, t)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, g := range groups {
		if err := ct.l.fetchFiles(ctx, t, g); err != nil {
			return removed, err
		}
		query := ct.l.compactQuery(t, g)
		nf, err := d.writeStaged(ctx, query, ct.l.tableDir(t), cols, format)
		if err != nil {
			return removed, fmt.Errorf("write compacted file of %s.%s: %w", t.Schema.Name, t.Name, err)
		}
		ct.created = append(ct.created, nf.Path)
		if err := ct.endFiles(ctx, t, g); err != nil {
			return removed, err
		}
		if nf.Rows > 0 {
			if err := ct.insertCompactedFile(ctx, t, nf); err != nil {
				return removed, err
			}
			removed--
		}
		removed += len(g)
	}
	ct.changes = nil // endFiles recorded a deletion; no row changed
	ct.change("merge_adjacent", t.ID)
	ct.dataChanged = true
	if err := ct.exec(ctx, `UPDATE {S}.ducklake_table_stats SET file_size_bytes = (SELECT COALESCE(sum(file_size_bytes), 0)
		FROM {S}.ducklake_data_file d WHERE d.table_id = $2 AND `+visibleAt("d.")+`) WHERE table_id = $2`, ct.id, t.ID); err != nil {
		return removed, err
	}
	return removed, nil
}

// compactQuery reads a group's live rows with their row ids: the id a
// previous rewrite stored, or the file's row_id_start plus the row's
// position. Deleted positions are left out by an anti join on the file and
// position, so the group's files are read by one read_parquet whatever
// their number.
func (l *Lake) compactQuery(t *lakeTable, g []*dataFile) string {
	cols := make([]schemaColumn, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		cols = append(cols, schemaColumn{ID: c.ID, Name: c.Name, Type: c.Type})
	}
	cols = append(cols, schemaColumn{ID: rowIDFieldID, Name: rowIDColumn, Type: rowIDType})
	var data, delPaths, dels, starts []string
	for _, f := range g {
		path := quoteString(l.filePath(t, f.Path, f.Relative))
		data = append(data, path)
		starts = append(starts, fmt.Sprintf("(%s, %d::BIGINT)", path, f.RowIDStart))
		if f.Delete != nil {
			del := quoteString(l.filePath(t, f.Delete.Path, f.Delete.Relative))
			delPaths = append(delPaths, del)
			dels = append(dels, fmt.Sprintf("(%s, %s)", del, path))
		}
	}
	sel := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		sel[i] = fmt.Sprintf("CAST(t.%s AS %s) AS %[1]s", quoteIdent(c.Name), duckdbType(c.Type))
	}
	q := fmt.Sprintf(`WITH m(file, start) AS (VALUES %s)
		SELECT %s, COALESCE(t.%s, m.start + t.file_row_number) AS %[3]s
		FROM read_parquet([%s], schema = %s, file_row_number = true, filename = true) AS t JOIN m ON t.filename = m.file`,
		strings.Join(starts, ", "), strings.Join(sel, ", "), rowIDColumn, strings.Join(data, ", "), readSchemaClause(cols))
	if len(dels) > 0 {
		q += fmt.Sprintf(`
		ANTI JOIN (SELECT x.file, d.pos FROM read_parquet([%s], filename = true) AS d
			JOIN (VALUES %s) AS x(del, file) ON d.filename = x.del) AS gone
		ON gone.file = t.filename AND gone.pos = t.file_row_number`, strings.Join(delPaths, ", "), strings.Join(dels, ", "))
	}
	return q
}

// insertCompactedFile records a compacted file: its row ids are stored in
// it, so row_id_start is NULL, as in the ducklake extension's rewrites.
func (ct *commitTx) insertCompactedFile(ctx context.Context, t *lakeTable, f StagedFile) error {
	id := ct.fileID()
	path, relative := relPath(ct.l.tableDir(t), f.Path)
	batch := &pgx.Batch{}
	batch.Queue(ct.l.q(`INSERT INTO {S}.ducklake_data_file VALUES
		($1, $2, $3, NULL, NULL, $4, $5, 'parquet', $6, $7, $8, NULL, NULL, NULL, NULL, NULL)`),
		id, t.ID, ct.id, path, relative, f.Rows, f.SizeBytes, f.FooterSize)
	for _, s := range f.Stats {
		if s.FieldID == rowIDFieldID {
			continue
		}
		var valueCount *int64
		if s.NullCount != nil {
			v := f.Rows - *s.NullCount
			valueCount = &v
		}
		batch.Queue(ct.l.q(`INSERT INTO {S}.ducklake_file_column_stats VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL)`),
			id, t.ID, s.FieldID, s.SizeBytes, valueCount, s.NullCount, s.Min, s.Max, s.ContainsNaN)
	}
	if err := ct.tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert compacted file: %w", err)
	}
	return nil
}
