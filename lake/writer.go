package lake

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TableWriter streams rows into Parquet files for one lake table: rows are
// appended, a DuckDB data chunk at a time, to an in-memory DuckDB table,
// which is written out with COPY … TO (FIELD_IDS) every Limits.FileMaxRows
// rows or FileMaxBytes bytes, in the background while the next rows go into
// another table; at most two are held, so memory stays bounded whatever the
// table size. Files stay invisible until Commit. A TableWriter is not safe
// for concurrent use.
type TableWriter struct {
	lake          *Lake
	schema, table string
	dir           string
	format        fileFormat
	cols          []FileColumn
	stages        []stageColumn
	pair          *writerPair
	reuse         bool // pair came from the pool and goes back to it
	duck          *duck
	bg            *duck // a second connection, for writing files in the background
	// bgCtx bounds background writes: not a call's context, which may end
	// while a file is still being written; Abort cancels it.
	bgCtx       context.Context
	bgCancel    context.CancelFunc
	app         *chunkAppender
	row         []driver.Value
	keys        *keyOrder
	rows, bytes int64
	stageN      int
	job         *fileJob
	seals       []seal
	// launched, completed and handed count file jobs: started, done (their
	// files in staged) and handed to seals (no longer in staged).
	launched, completed, handed int
	staged                      []StagedFile
	uploads                     map[string]*fileUpload // by path, until handed out
	err                         error                  // the first failure; the writer refuses writes after it
	closed                      bool
}

// NewTableWriter starts writing rows with the given source columns to
// schema.table. Columns are matched to the lake table by name: a known column
// keeps its field id and is written in its (possibly widened) lake type, a
// new one takes the next id. A type change the lake cannot widen to fails
// here with a *SchemaChangeError, before any row is read.
func (l *Lake) NewTableWriter(ctx context.Context, schema, table string, cols []connectors.Column) (*TableWriter, error) {
	return l.newTableWriter(ctx, schema, table, cols, false)
}

// NewBufferWriter is NewTableWriter for a short burst of rows, a cdc
// buffer's: it takes an idle writer database (see writerPool) and hands it
// back when it is done, where opening one would cost about as much as
// writing the rows. Long writers open their own, which they close.
func (l *Lake) NewBufferWriter(ctx context.Context, schema, table string, cols []connectors.Column) (*TableWriter, error) {
	return l.newTableWriter(ctx, schema, table, cols, true)
}

func (l *Lake) newTableWriter(ctx context.Context, schema, table string, cols []connectors.Column, reuse bool) (*TableWriter, error) {
	if schema == "" || table == "" {
		return nil, fmt.Errorf("a lake table needs a schema and a name")
	}
	snap, tables, err := l.currentTables(ctx)
	if err != nil {
		return nil, err
	}
	current := findTable(tables, schema, table)
	maxID, err := l.maxColumnID(ctx, l.pool, current)
	if err != nil {
		return nil, err
	}
	plan, err := planColumns(schema+"."+table, current, maxID, cols)
	if err != nil {
		return nil, err
	}
	dir, dirSchema, err := l.dirFor(ctx, snap.ID, current, schema, table)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, l.hidePath(fmt.Errorf("create table directory: %w", err))
	}
	format, err := l.fileFormatFor(ctx, l.pool, dirSchema, current)
	if err != nil {
		return nil, err
	}
	w := &TableWriter{lake: l, schema: schema, table: table, dir: dir, format: format, cols: plan.Files, row: make([]driver.Value, len(plan.Files)), reuse: reuse}
	for _, c := range plan.Files {
		w.stages = append(w.stages, stageFor(c.Type))
	}
	if w.pair, err = writers.get(ctx, l.Limits.WriterMemory, reuse); err != nil {
		return nil, err
	}
	w.duck, w.bg = w.pair.duck, w.pair.bg
	w.bgCtx, w.bgCancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := w.startFile(ctx); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// writerThreads is the DuckDB threads of a writer's database: one. A writer
// already works on two goroutines (rows go into one staging table while
// the last is written out), and with a second DuckDB thread the goroutine
// running COPY spins in DuckDB's task loop whenever that thread holds the
// query's last task (duckdb/duckdb#22178): a 5M-row copy then took about
// a quarter more worker CPU, taken from the source sharing the machine.
const writerThreads = 1

// maxColumnID returns the highest column id a table ever used (0 for none).
func (l *Lake) maxColumnID(ctx context.Context, q querier, t *lakeTable) (int64, error) {
	if t == nil {
		return 0, nil
	}
	var id int64
	err := q.QueryRow(ctx, l.q(`SELECT COALESCE(max(column_id), 0) FROM {S}.ducklake_column WHERE table_id = $1`), t.ID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("read column ids: %w", err)
	}
	return id, nil
}

// dirFor returns where a table's files go, and its schema (nil for a new
// one): its catalog path if it exists, else <data>/<schema path>/<table name>.
func (l *Lake) dirFor(ctx context.Context, snap int64, t *lakeTable, schema, table string) (string, *lakeSchema, error) {
	if t != nil {
		return l.tableDir(t), t.Schema, nil
	}
	schemas, err := l.loadSchemas(ctx, l.pool, snap)
	if err != nil {
		return "", nil, err
	}
	if s := schemas[schema]; s != nil {
		return filepath.Join(resolvePath(l.dataPath, s.Path, s.Relative), dirName(table)), s, nil
	}
	return filepath.Join(l.dataPath, dirName(schema), dirName(table)), nil, nil
}

// TrackKeyOrder makes the writer check whether rows arrive in strictly
// ascending order of the named columns (ints, strings or UUIDs), as an
// ordered read of a primary key delivers them. Each file whose rows did is
// marked with its first and last key, so a merge of files whose key ranges
// do not overlap skips looking for keys repeated among them. Call it before
// the first row.
func (w *TableWriter) TrackKeyOrder(names []string) error {
	k, err := newKeyOrder(w.cols, names)
	if err != nil {
		return err
	}
	w.keys = k
	return nil
}

// startFile creates an empty staging table and an appender on it.
func (w *TableWriter) startFile(ctx context.Context) error {
	w.stageN++
	if err := w.duck.exec(ctx, "CREATE TABLE "+w.stageName()+" ("+w.stageDefs()+")"); err != nil {
		return fmt.Errorf("create staging table: %w", err)
	}
	app, err := newChunkAppender(w.duck.raw, "stage", strings.TrimPrefix(w.stageName(), "stage."))
	if err != nil {
		return err
	}
	w.app = app
	w.rows, w.bytes = 0, 0
	if w.keys != nil {
		w.keys.reset()
	}
	return nil
}

// WriteBatch appends rows whose values are in connectors.ResultSet's forms
// and in the column order given to NewTableWriter.
func (w *TableWriter) WriteBatch(ctx context.Context, rows [][]any) error {
	if err := w.writable(ctx); err != nil {
		return err
	}
	for _, r := range rows {
		if len(r) != len(w.cols) {
			return fmt.Errorf("row has %d values for %d columns", len(r), len(w.cols))
		}
		for i, v := range r {
			cv, err := w.stages[i].convert(v)
			if err != nil {
				return &ValueError{Column: w.cols[i].Name, Err: err}
			}
			if err := w.app.setValue(i, w.app.n, cv); err != nil {
				return &ValueError{Column: w.cols[i].Name, Err: err}
			}
			w.row[i] = cv
			w.bytes += valueSize(cv)
		}
		if w.keys != nil {
			w.keys.observe(w.row)
		}
		w.app.n++
		w.rows++
		if err := w.rowsAppended(ctx); err != nil {
			return err
		}
	}
	return nil
}

// valueSize estimates a buffered value's memory.
func valueSize(v driver.Value) int64 {
	switch x := v.(type) {
	case string:
		return 16 + int64(len(x))
	case []byte:
		return 16 + int64(len(x))
	}
	return 8
}

// Finish writes the last buffered rows and returns every file written but
// those handed to a Seal. The files are not visible until Commit; a writer
// that wrote no rows returns none.
func (w *TableWriter) Finish(ctx context.Context) ([]StagedFile, error) {
	if w.closed {
		return nil, errors.New("finish a finished table writer")
	}
	err := w.writable(ctx)
	if err == nil {
		if err = w.roll(ctx, false); err == nil {
			err = w.wait(ctx)
		}
	}
	if err == nil {
		err = w.awaitUploads(ctx, w.staged) // before close ends the uploads' context
	}
	w.close()
	if err != nil {
		w.removeStaged()
		return nil, err
	}
	return append([]StagedFile(nil), w.staged...), nil
}

// Abort stops writing and removes the files the writer staged that no
// snapshot references, so `defer w.Abort()` is safe after a successful
// Commit. When the catalog cannot be read the files are kept for
// RemoveOrphanFiles.
func (w *TableWriter) Abort() {
	if w.bgCancel != nil {
		w.bgCancel() // a file being written is not needed any more
	}
	w.close()
	if len(w.staged) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	names := make([]string, 0, 2*len(w.staged))
	for _, f := range w.staged {
		names = append(names, filepath.Base(f.Path), f.Path)
	}
	rows, err := w.lake.pool.Query(ctx, w.lake.q(`SELECT path FROM {S}.ducklake_data_file WHERE path = ANY($1)`), names)
	if err != nil {
		return
	}
	committed := map[string]bool{}
	for rows.Next() {
		var p string
		if rows.Scan(&p) == nil {
			committed[p] = true
		}
	}
	rows.Close()
	if rows.Err() != nil {
		return
	}
	uncommitted := w.staged[:0]
	for _, f := range w.staged {
		if !committed[f.Path] && !committed[filepath.Base(f.Path)] {
			uncommitted = append(uncommitted, f)
		}
	}
	w.staged = uncommitted
	w.removeStaged()
}

func (w *TableWriter) close() {
	if w.closed {
		return
	}
	w.closed = true
	if w.job != nil { // a file being written is staged like the others
		<-w.job.done
		if w.job.err == nil {
			w.stage(w.job)
		}
		w.job = nil
	}
	if w.app != nil {
		w.app.close()
		w.app = nil
	}
	if w.bgCancel != nil {
		w.bgCancel()
	}
	switch {
	case w.pair == nil:
	case w.reuse:
		writers.put(w.pair) // nothing uses it any more
	default:
		w.pair.close()
	}
}

func (w *TableWriter) removeStaged() {
	w.drainUploads()
	paths := make([]string, len(w.staged))
	for i, f := range w.staged {
		paths[i] = f.Path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w.lake.removeStored(ctx, paths)
	w.staged = nil
}
