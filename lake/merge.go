package lake

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// deleteWrite is a positional delete file written for one data file.
type deleteWrite struct {
	Path                    string
	Count, Size, FooterSize int64
}

// Iceberg's reserved field ids of a positional delete file's columns; the
// ducklake extension reads delete files by position and type, so they only
// help other readers.
const deleteFieldIDs = `{'file_path': 2147483546, 'pos': 2147483545}`

// mergeBatch bounds how many existing files one key-matching query reads
// (a variable so tests can match a file at a time).
var mergeBatch = 256

// merge deletes, with positional delete files, every existing row whose
// primary key appears in the new files, and every row of the new files
// whose key appears again later in them (the last row of a key wins). Keys
// with a NULL part never match. Existing rows whose key is in the key files
// gone are deleted too, and with goneAfter, the rows of the new files
// before each key file's position (see CommitRequest.DeletedKeysAfter).
// It returns how many new rows were dropped.
func (ct *commitTx) merge(ctx context.Context, t *lakeTable, plan columnPlan, keys []string, live []*dataFile, files []StagedFile, ids []int64, gone []StagedFile, goneAfter []int) (int64, error) {
	keyCols, err := keyColumns(plan, keys)
	if err != nil {
		return 0, err
	}
	// Files whose writer saw their keys ascend, in ranges that do not
	// overlap, repeat no key: into an empty table they merge as they are.
	dropsNew := slices.ContainsFunc(goneAfter, func(a int) bool { return a > 0 })
	unique := keysUnique(files, keys, keyCols) && !dropsNew
	if unique && len(live) == 0 {
		return 0, nil
	}
	d, err := ct.getDuck(ctx)
	if err != nil {
		return 0, err
	}
	var match []string
	notNull := make([]string, len(keyCols))
	for j, k := range keyCols {
		match = append(match, fmt.Sprintf("e.%[1]s = n.%[1]s", k.Name))
		notNull[j] = k.Name + " IS NOT NULL"
	}
	newKeys, buildKeys := newKeyReads(files, keyCols)
	if len(gone) > 0 {
		goneKeys, err := sourceKeyQuery(keyCols, keys, gone)
		if err != nil {
			return 0, err
		}
		// Keys gone at the source delete the rows that have them too; no
		// new file holds them, so they are never repeats.
		buildKeys = fmt.Sprintf("SELECT * FROM (%s) UNION ALL SELECT * FROM (%s)", buildKeys, goneKeys)
	}
	// DuckDB cannot estimate read_parquet with a schema (it guesses one row),
	// so it would build the semi join's hash table on the existing files,
	// every row of the table, instead of on the commit's new keys.
	if err := d.exec(ctx, "SET disabled_optimizers = 'build_side_probe_side'"); err != nil {
		return 0, fmt.Errorf("configure the merge: %w", err)
	}
	// The new keys stay in their files, and each matching pass (and each
	// search for repeated keys) takes one hash partition of them, so a merge
	// of millions of rows holds a bounded slice of its keys at once.
	if err := d.exec(ctx, "CREATE OR REPLACE VIEW newkeys AS "+newKeys+
		"; CREATE OR REPLACE TABLE hits (f INTEGER, r BIGINT)"); err != nil {
		return 0, fmt.Errorf("read new keys: %w", err)
	}
	parts := keyPartitions(append(slices.Clip(files), gone...))
	inPart := func(p int) string { return fmt.Sprintf("hash(%s) %% %d = %d", joinNames(keyCols), parts, p) }
	for start := 0; start < len(live); start += mergeBatch {
		existing := liveKeyRead(keyCols, live[start:min(start+mergeBatch, len(live))], func(f *dataFile) string {
			return ct.l.filePath(t, f.Path, f.Relative)
		}, start)
		for p := 0; p < parts; p++ {
			if err := d.exec(ctx, fmt.Sprintf("INSERT INTO hits SELECT e.f, e.r FROM (%s) e SEMI JOIN (SELECT * FROM (%s) WHERE %s) n ON %s",
				existing, buildKeys, inPart(p), strings.Join(match, " AND "))); err != nil {
				return 0, fmt.Errorf("match keys against existing rows: %w", err)
			}
		}
	}
	if err := ct.deleteExisting(ctx, d, t, live); err != nil {
		return 0, err
	}
	if unique {
		return 0, nil
	}
	// Earlier rows of a key repeated within the commit are deleted too.
	passes := make([]string, parts)
	for p := range passes {
		passes[p] = fmt.Sprintf(`SELECT f, r FROM (SELECT f, r, row_number() OVER (PARTITION BY %s ORDER BY f DESC, r DESC) AS n
			FROM newkeys WHERE %s AND %s) WHERE n > 1`, joinNames(keyCols), strings.Join(notNull, " AND "), inPart(p))
	}
	if dropsNew {
		// New rows whose key a later batch deleted.
		goneTagged, err := keyFileQuery(keyCols, keys, gone, goneAfter)
		if err != nil {
			return 0, err
		}
		on := mapCols(keyCols, func(c schemaColumn) string { return fmt.Sprintf("n.%[1]s = g.%[1]s", c.Name) })
		for p := 0; p < parts; p++ {
			passes = append(passes, fmt.Sprintf("SELECT f, r FROM (SELECT * FROM newkeys WHERE %[1]s) n SEMI JOIN (SELECT * FROM (%[2]s) WHERE %[1]s) g ON %[3]s AND n.f < g.a",
				inPart(p), goneTagged, strings.Join(on, " AND ")))
		}
	}
	return ct.deleteDuplicates(ctx, d, t, files, ids, passes)
}

// liveKeyRead reads existing files' keys (k0, k1, …) with each row's file
// (its index in live: first is files[0]'s) and position as f and r, in one
// scan of all of them: DuckDB splits a multi-file scan's row groups among
// its threads, where a UNION ALL of a scan per file took twice as long to
// match a million keys against ten million rows.
func liveKeyRead(keyCols []schemaColumn, files []*dataFile, path func(*dataFile) string, first int) string {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = path(f)
	}
	return fmt.Sprintf("SELECT CAST(file_index AS INTEGER) + %d AS f, file_row_number AS r, %s FROM %s", first, joinNames(keyCols), keyScan(paths, keyCols))
}

// keyScan reads the key columns of files by field id, with the virtual
// columns file_index (the file's place in paths) and file_row_number.
func keyScan(paths []string, keyCols []schemaColumn) string {
	quoted := make([]string, len(paths))
	for i, p := range paths {
		quoted[i] = quoteString(p)
	}
	return fmt.Sprintf("read_parquet([%s], schema = %s, file_row_number = true)", strings.Join(quoted, ", "), readSchemaClause(keyCols))
}

// newKeyReads returns two reads of the new files' keys (k0, k1, …), each
// one scan of every file: newKeys with each row's file (its index in files)
// and position as f and r, buildKeys with the keys alone. As the build
// side of a join (or the input of a window), a UNION ALL of a scan per file
// gave the operator a sink per file, whose buffers took ~160 MiB whatever
// the number of keys.
func newKeyReads(files []StagedFile, keyCols []schemaColumn) (newKeys, buildKeys string) {
	if len(files) == 0 { // a commit of deleted keys alone
		none := mapCols(keyCols, func(c schemaColumn) string { return fmt.Sprintf("CAST(NULL AS %s) AS %s", readType(c.Type), c.Name) })
		keys := strings.Join(none, ", ")
		return "SELECT CAST(NULL AS INTEGER) AS f, CAST(NULL AS BIGINT) AS r, " + keys + " LIMIT 0", "SELECT " + keys + " LIMIT 0"
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	scan := keyScan(paths, keyCols)
	keys := joinNames(keyCols)
	newKeys = fmt.Sprintf("SELECT CAST(file_index AS INTEGER) AS f, file_row_number AS r, %s FROM %s", keys, scan)
	return newKeys, fmt.Sprintf("SELECT %s FROM %s", keys, scan)
}

// mergePartitionRows bounds the new keys one matching pass hashes (a
// variable so tests can force several passes): a
// million keys with their positions take tens of MiB in DuckDB's hash table,
// where the five million of a large merge took the commit past 250 MiB.
var mergePartitionRows int64 = 1_000_000

// keyPartitions is how many hash partitions of the new keys the matching
// passes take, so each holds at most mergePartitionRows of them.
func keyPartitions(files []StagedFile) int {
	var rows int64
	for _, f := range files {
		rows += f.Rows
	}
	return int(max(1, (rows+mergePartitionRows-1)/mergePartitionRows))
}

// keyColumns returns the primary key columns as read_parquet schema entries
// named k0, k1, … so user names never need quoting in the merge queries.
func keyColumns(plan columnPlan, keys []string) ([]schemaColumn, error) {
	out := make([]schemaColumn, len(keys))
	for i, k := range keys {
		var found *FileColumn
		for j := range plan.Files {
			if plan.Files[j].Name == k {
				found = &plan.Files[j]
			}
		}
		if found == nil {
			return nil, fmt.Errorf("primary key %q is not among the commit's columns", k)
		}
		if found.Type.Kind == connectors.KindArray {
			return nil, fmt.Errorf("primary key %q is an array, which cannot be compared", k)
		}
		out[i] = schemaColumn{ID: found.FieldID, Name: fmt.Sprintf("k%d", i), Type: found.Type}
	}
	return out, nil
}

func joinNames(cols []schemaColumn) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// deleteExisting writes, for every existing file with matched rows, a delete
// file holding its previous deletes and the new ones; a file whose every row
// is deleted is ended instead. The matches are sorted by file once, so each
// file's delete file reads its own rows of them: a query per file over all
// of them (one to count, one to write) took most of a large merge's commit.
func (ct *commitTx) deleteExisting(ctx context.Context, d *duck, t *lakeTable, live []*dataFile) error {
	// DISTINCT: a position is deleted once, whatever matched it.
	if err := d.exec(ctx, "CREATE OR REPLACE TABLE hits_by_file AS SELECT DISTINCT f, r FROM hits ORDER BY f, r"); err != nil {
		return fmt.Errorf("sort matched rows: %w", err)
	}
	defer func() { _ = d.exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS hits_by_file") }() // its memory, for what the commit does next
	touched, err := matchesPerFile(ctx, d, "hits_by_file")
	if err != nil {
		return err
	}
	var ended []*dataFile
	changed := false
	for _, m := range touched {
		f := live[m.file]
		if f.Delete == nil && m.rows >= f.Records {
			ended = append(ended, f)
			continue
		}
		positions := ct.deletePositions(t, f, fmt.Sprintf("SELECT r AS pos FROM hits_by_file WHERE f = %d", m.file))
		w, err := ct.writeDeleteFile(ctx, d, t, ct.l.filePath(t, f.Path, f.Relative), positions, f.Delete != nil)
		if err != nil {
			return err
		}
		if f.Delete != nil && (w.Count == f.Delete.Count || w.Count >= f.Records) {
			ct.discard(w.Path) // every matched row was deleted before, or the file goes whole
			if w.Count != f.Delete.Count {
				ended = append(ended, f)
			}
			continue
		}
		if err := ct.replaceDeleteFile(ctx, t, f.ID, f.Delete, w); err != nil {
			return err
		}
		changed = true
	}
	if len(ended) > 0 {
		return ct.endFiles(ctx, t, ended)
	}
	if changed {
		ct.change("deleted_from_table", t.ID)
		ct.dataChanged = true
	}
	return nil
}

// fileMatches is how many rows of one existing file (its index in live) a
// merge matched.
type fileMatches struct {
	file int
	rows int64
}

// matchesPerFile counts a table of matched rows (f, r, …) per file, in file
// order.
func matchesPerFile(ctx context.Context, d *duck, table string) ([]fileMatches, error) {
	rows, err := d.conn.QueryContext(ctx, "SELECT f, count(*) FROM "+table+" GROUP BY f ORDER BY f")
	if err != nil {
		return nil, fmt.Errorf("read matched files: %w", err)
	}
	defer rows.Close()
	var out []fileMatches
	for rows.Next() {
		var m fileMatches
		if err := rows.Scan(&m.file, &m.rows); err != nil {
			return nil, fmt.Errorf("read matched files: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// deleteDuplicates writes delete files for the new files' superseded rows.
func (ct *commitTx) deleteDuplicates(ctx context.Context, d *duck, t *lakeTable, files []StagedFile, ids []int64, passes []string) (int64, error) {
	if err := d.exec(ctx, "CREATE OR REPLACE TABLE dups (f INTEGER, r BIGINT)"); err != nil {
		return 0, fmt.Errorf("find repeated keys: %w", err)
	}
	for _, pass := range passes {
		if err := d.exec(ctx, "INSERT INTO dups "+pass); err != nil {
			return 0, fmt.Errorf("find repeated keys: %w", err)
		}
	}
	var total int64
	for i, f := range files {
		positions := fmt.Sprintf("SELECT DISTINCT r AS pos FROM dups WHERE f = %d", i)
		var count int64
		if err := d.conn.QueryRowContext(ctx, "SELECT count(*) FROM ("+positions+")").Scan(&count); err != nil {
			return 0, fmt.Errorf("count repeated keys: %w", err)
		}
		if count == 0 {
			continue
		}
		w, err := ct.writeDeleteFile(ctx, d, t, f.Path, positions, false)
		if err != nil {
			return 0, err
		}
		if err := ct.replaceDeleteFile(ctx, t, ids[i], nil, w); err != nil {
			return 0, err
		}
		total += count
	}
	return total, nil
}

// writeDeleteFile writes a positional delete file (file_path, pos), sorted
// by position as the specification requires; withSnapshots adds each
// position's snapshot (the positions' snap column) for a partial deletion
// file (see replaceDeleteFile).
func (ct *commitTx) writeDeleteFile(ctx context.Context, d *duck, t *lakeTable, dataPath, positions string, withSnapshots bool) (deleteWrite, error) {
	path := newFilePath(ct.l.tableDir(t), "-delete")
	cols, ids := "", deleteFieldIDs
	if withSnapshots {
		cols = ", CAST(snap AS BIGINT) AS " + snapshotIDColumn
		ids = strings.TrimSuffix(ids, "}") + fmt.Sprintf(", %s: %d}", quoteString(snapshotIDColumn), snapshotIDFieldID)
	}
	query := fmt.Sprintf("SELECT CAST(%s AS VARCHAR) AS file_path, CAST(pos AS BIGINT) AS pos%s FROM (%s) ORDER BY pos",
		quoteString(dataPath), cols, positions)
	res, err := d.copyToParquet(ctx, query, path, ids, true, fileFormat{})
	if err != nil {
		return deleteWrite{}, fmt.Errorf("write delete file: %w", err)
	}
	ct.created = append(ct.created, path)
	return deleteWrite{Path: path, Count: res.Rows, Size: res.Size, FooterSize: res.FooterSize}, nil
}
