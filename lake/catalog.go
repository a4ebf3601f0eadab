package lake

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/connectors"
)

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// snapshot is a ducklake_snapshot row: the counters every commit advances.
type snapshot struct {
	ID            int64
	Time          time.Time
	SchemaVersion int64
	NextCatalogID int64
	NextFileID    int64
}

// lakeSchema is a ducklake_schema row.
type lakeSchema struct {
	ID       int64
	Name     string
	Path     *string
	Relative bool
}

// lakeColumn is a ducklake_column row and its children (a list's element).
type lakeColumn struct {
	ID       int64
	Name     string
	Order    int64
	TypeName string
	Type     connectors.Type
	Parent   *int64
	Children []*lakeColumn
}

// lakeTable is a ducklake_table row with its columns at one snapshot.
type lakeTable struct {
	ID       int64
	Name     string
	Schema   *lakeSchema
	Path     *string
	Relative bool
	Columns  []*lakeColumn
}

// dataFile is a ducklake_data_file row and the delete file that applies to
// it at the same snapshot, if any.
type dataFile struct {
	ID         int64
	Path       string
	Relative   bool
	Records    int64
	Size       int64
	RowIDStart int64
	// Begin is the snapshot that added the file.
	Begin  int64
	Delete *deleteFile
	// Inlined, set for reads only, makes this no file but rows another
	// DuckLake client inlined into the catalog (see loadInlinedRows).
	Inlined *inlinedRows
}

// deleteFile is a ducklake_delete_file row.
type deleteFile struct {
	ID       int64
	Path     string
	Relative bool
	Count    int64
	// Begin is its begin_snapshot; Embedded says the file holds each
	// position's snapshot (_ducklake_internal_snapshot_id, partial_max
	// set), and Upto, when set, is the snapshot read: positions deleted
	// later do not apply there.
	Begin    int64
	Embedded bool
	Upto     *int64
	// Inline are positions another DuckLake client deleted without a
	// delete file (reads only); Path is "" when there is only those.
	Inline []int64
}

const snapshotColumns = `snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id`

func scanSnapshot(row pgx.Row) (snapshot, error) {
	var s snapshot
	err := row.Scan(&s.ID, &s.Time, &s.SchemaVersion, &s.NextCatalogID, &s.NextFileID)
	return s, err
}

// latestSnapshot reads the newest snapshot.
func (l *Lake) latestSnapshot(ctx context.Context, q querier) (snapshot, error) {
	s, err := scanSnapshot(q.QueryRow(ctx, l.q(`SELECT `+snapshotColumns+` FROM {S}.ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1`)))
	if err != nil {
		return s, fmt.Errorf("read latest snapshot: %w", err)
	}
	return s, nil
}

// currentTables reads the latest snapshot and the tables valid in it.
func (l *Lake) currentTables(ctx context.Context) (snapshot, []*lakeTable, error) {
	snap, err := l.latestSnapshot(ctx, l.pool)
	if err != nil {
		return snap, nil, err
	}
	tables, err := l.loadTables(ctx, l.pool, snap.ID)
	return snap, tables, err
}

// errNoSnapshot means no snapshot matches a time-travel request.
var errNoSnapshot = errors.New("no such snapshot")

// snapshotByID reads one snapshot.
func (l *Lake) snapshotByID(ctx context.Context, q querier, id int64) (snapshot, error) {
	s, err := scanSnapshot(q.QueryRow(ctx, l.q(`SELECT `+snapshotColumns+` FROM {S}.ducklake_snapshot WHERE snapshot_id = $1`), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("%w: snapshot %d does not exist", errNoSnapshot, id)
	}
	return s, err
}

// snapshotAt reads the newest snapshot taken at or before t.
func (l *Lake) snapshotAt(ctx context.Context, q querier, t time.Time) (snapshot, error) {
	s, err := scanSnapshot(q.QueryRow(ctx, l.q(`SELECT `+snapshotColumns+` FROM {S}.ducklake_snapshot
		WHERE snapshot_time <= $1 ORDER BY snapshot_id DESC LIMIT 1`), t))
	if errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("%w: the lake has no snapshot at or before %s", errNoSnapshot, t.Format(time.RFC3339Nano))
	}
	return s, err
}

// visible is the specification's test for a row valid at snapshot $1.
const visible = `$1 >= %[1]sbegin_snapshot AND ($1 < %[1]send_snapshot OR %[1]send_snapshot IS NULL)`

func visibleAt(alias string) string { return fmt.Sprintf(visible, alias) }

// loadSchemas reads the schemas valid at a snapshot.
func (l *Lake) loadSchemas(ctx context.Context, q querier, snap int64) (map[string]*lakeSchema, error) {
	rows, err := q.Query(ctx, l.q(`SELECT schema_id, schema_name, path, COALESCE(path_is_relative, true)
		FROM {S}.ducklake_schema WHERE `+visibleAt("")), snap)
	if err != nil {
		return nil, fmt.Errorf("read schemas: %w", err)
	}
	defer rows.Close()
	out := map[string]*lakeSchema{}
	for rows.Next() {
		s := &lakeSchema{}
		if err := rows.Scan(&s.ID, &s.Name, &s.Path, &s.Relative); err != nil {
			return nil, fmt.Errorf("read schemas: %w", err)
		}
		out[s.Name] = s
	}
	return out, rows.Err()
}

// loadTables reads every table valid at a snapshot with its columns.
func (l *Lake) loadTables(ctx context.Context, q querier, snap int64) ([]*lakeTable, error) {
	schemas, err := l.loadSchemas(ctx, q, snap)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*lakeSchema{}
	for _, s := range schemas {
		byID[s.ID] = s
	}
	rows, err := q.Query(ctx, l.q(`SELECT table_id, schema_id, table_name, path, COALESCE(path_is_relative, true)
		FROM {S}.ducklake_table WHERE `+visibleAt("")+` ORDER BY table_id`), snap)
	if err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	defer rows.Close()
	var tables []*lakeTable
	tableByID := map[int64]*lakeTable{}
	for rows.Next() {
		t := &lakeTable{}
		var schemaID int64
		if err := rows.Scan(&t.ID, &schemaID, &t.Name, &t.Path, &t.Relative); err != nil {
			return nil, fmt.Errorf("read tables: %w", err)
		}
		if t.Schema = byID[schemaID]; t.Schema == nil {
			continue // a table in a schema dropped by another writer
		}
		tables = append(tables, t)
		tableByID[t.ID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read tables: %w", err)
	}
	if err := l.loadColumns(ctx, q, snap, tableByID); err != nil {
		return nil, err
	}
	return tables, nil
}

// loadColumns attaches the columns valid at a snapshot to their tables.
func (l *Lake) loadColumns(ctx context.Context, q querier, snap int64, tables map[int64]*lakeTable) error {
	rows, err := q.Query(ctx, l.q(`SELECT table_id, column_id, column_order, column_name, column_type, parent_column
		FROM {S}.ducklake_column WHERE `+visibleAt("")+`
		ORDER BY table_id, parent_column NULLS FIRST, column_order`), snap)
	if err != nil {
		return fmt.Errorf("read columns: %w", err)
	}
	defer rows.Close()
	byID := map[[2]int64]*lakeColumn{}
	for rows.Next() {
		var tableID int64
		c := &lakeColumn{}
		if err := rows.Scan(&tableID, &c.ID, &c.Order, &c.Name, &c.TypeName, &c.Parent); err != nil {
			return fmt.Errorf("read columns: %w", err)
		}
		t := tables[tableID]
		if t == nil {
			continue
		}
		byID[[2]int64{tableID, c.ID}] = c
		if c.Parent == nil {
			t.Columns = append(t.Columns, c)
		} else if p := byID[[2]int64{tableID, *c.Parent}]; p != nil {
			p.Children = append(p.Children, c)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read columns: %w", err)
	}
	for _, t := range tables {
		for _, c := range t.Columns {
			resolveType(c)
		}
	}
	return nil
}

// resolveType sets a column's sluice type from its catalog type and children.
func resolveType(c *lakeColumn) {
	var elem *connectors.Type
	for _, ch := range c.Children {
		resolveType(ch)
		elem = &ch.Type
	}
	c.Type = typeFromDucklake(c.TypeName, elem)
}

// findTable returns the table with a schema and name, or nil.
func findTable(tables []*lakeTable, schema, name string) *lakeTable {
	for _, t := range tables {
		if t.Schema.Name == schema && t.Name == name {
			return t
		}
	}
	return nil
}

// loadFiles reads a table's data files valid at a snapshot, each with the
// delete file valid at the same snapshot.
func (l *Lake) loadFiles(ctx context.Context, q querier, snap, tableID int64) ([]*dataFile, error) {
	files, err := l.loadFilesOf(ctx, q, snap, &tableID)
	return files[tableID], err
}

// loadFilesOf reads the data files valid at a snapshot of one table, or of
// every table when tableID is nil, keyed by table id. Everything that hands
// a table's files to DuckDB gets them here, so on object storage it also
// makes them present in the data directory (fetchTables).
func (l *Lake) loadFilesOf(ctx context.Context, q querier, snap int64, tableID *int64) (map[int64][]*dataFile, error) {
	files, err := l.readFiles(ctx, q, snap, tableID)
	if err != nil || l.store == nil {
		return files, err
	}
	tables, err := l.loadTables(ctx, q, snap)
	if err != nil {
		return nil, err
	}
	return files, l.fetchTables(ctx, tables, files, nil)
}

// readFiles reads the catalog's rows of the files loadFilesOf returns.
func (l *Lake) readFiles(ctx context.Context, q querier, snap int64, tableID *int64) (map[int64][]*dataFile, error) {
	rows, err := q.Query(ctx, l.q(`SELECT d.table_id, d.data_file_id, d.path, COALESCE(d.path_is_relative, true), d.record_count,
			d.file_size_bytes, COALESCE(d.row_id_start, 0), d.begin_snapshot, x.delete_file_id, x.path, COALESCE(x.path_is_relative, true), x.delete_count,
			x.begin_snapshot, x.partial_max
		FROM {S}.ducklake_data_file d
		LEFT JOIN (SELECT * FROM {S}.ducklake_delete_file WHERE `+visibleAt("")+`) x
			ON x.data_file_id = d.data_file_id AND x.table_id = d.table_id
		WHERE ($2::BIGINT IS NULL OR d.table_id = $2) AND `+visibleAt("d.")+`
		ORDER BY d.table_id, COALESCE(d.file_order, d.data_file_id), d.data_file_id`), snap, tableID)
	if err != nil {
		return nil, fmt.Errorf("read data files: %w", err)
	}
	defer rows.Close()
	files := map[int64][]*dataFile{}
	for rows.Next() {
		f := &dataFile{}
		var table int64
		var delID, delCount, delBegin, partialMax *int64
		var delPath *string
		var delRel bool
		if err := rows.Scan(&table, &f.ID, &f.Path, &f.Relative, &f.Records, &f.Size, &f.RowIDStart, &f.Begin, &delID, &delPath, &delRel, &delCount,
			&delBegin, &partialMax); err != nil {
			return nil, fmt.Errorf("read data files: %w", err)
		}
		if delID != nil {
			f.Delete = &deleteFile{ID: *delID, Path: *delPath, Relative: delRel, Count: *delCount, Begin: *delBegin, Embedded: partialMax != nil}
			if partialMax != nil && *partialMax > snap {
				f.Delete.Upto = &snap
			}
		}
		files[table] = append(files[table], f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read data files: %w", err)
	}
	if tableID != nil {
		return files, nil
	}
	return files, l.addInlined(ctx, q, snap, files)
}

// addInlined adds to a read of every table what other DuckLake clients
// inlined into the catalog: rows as pseudo-files, deletes as positions.
func (l *Lake) addInlined(ctx context.Context, q querier, snap int64, files map[int64][]*dataFile) error {
	deletes, err := l.loadInlinedDeletes(ctx, q, snap)
	if err != nil {
		return err
	}
	if len(deletes) > 0 {
		for _, list := range files {
			for _, f := range list {
				if pos := deletes[f.ID]; len(pos) > 0 {
					if f.Delete == nil {
						f.Delete = &deleteFile{}
					}
					f.Delete.Inline = pos
				}
			}
		}
	}
	inlined, err := l.loadInlinedRows(ctx, q, snap)
	if err != nil {
		return err
	}
	for table, list := range inlined {
		for _, in := range list {
			files[table] = append(files[table], &dataFile{Inlined: in, Records: int64(len(in.rows))})
		}
	}
	return nil
}

// resolvePath applies the specification's path rules: a relative path is
// relative to its parent's path, an absent one is the parent's path.
func resolvePath(parent string, path *string, relative bool) string {
	if path == nil {
		return parent
	}
	if !relative {
		return filepath.Clean(*path)
	}
	return filepath.Join(parent, *path)
}

// dir returns the absolute directory of a table's files.
func (l *Lake) tableDir(t *lakeTable) string {
	return resolvePath(resolvePath(l.dataPath, t.Schema.Path, t.Schema.Relative), t.Path, t.Relative)
}

// filePath returns the absolute path of a data or delete file of a table.
func (l *Lake) filePath(t *lakeTable, path string, relative bool) string {
	return resolvePath(l.tableDir(t), &path, relative)
}
