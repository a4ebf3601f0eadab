package lake

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// duck is a private DuckDB with one connection.
type duck struct {
	connector *duckdb.Connector
	db        *sql.DB
	conn      *sql.Conn
	raw       *rawConn // the writer's C API connection, for appending
	setup     []string
	tempDir   string
	borrowed  bool // a second connection (see another): Close closes only it
}

// openDuck opens an in-memory DuckDB for sluice's own work (writing, merging):
// bounded memory, spilling to a private temporary directory, UTC, and no
// extension loading from the network.
func openDuck(ctx context.Context, memory string, threads int) (*duck, error) {
	return openDuckAt(ctx, "", memory, threads)
}

// openWriterDuck opens a DuckDB for a TableWriter: like openDuck, plus a C
// API connection to the same database for appending. Only a database with a
// path is shared between connectors, so it has one (an empty file in the
// temporary directory), and the rows go into an attached in-memory database,
// "stage".
func openWriterDuck(ctx context.Context, memory string, threads int) (*duck, error) {
	d, err := openDuckAt(ctx, "writer.duckdb", memory, threads)
	if err != nil {
		return nil, err
	}
	if d.raw, err = openRawConn(filepath.Join(d.tempDir, "writer.duckdb")); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.exec(ctx, "ATTACH ':memory:' AS stage"); err != nil {
		d.Close()
		return nil, fmt.Errorf("attach the staging database: %w", err)
	}
	return d, nil
}

// openDuckAt opens a DuckDB in a private temporary directory: in memory, or
// in file (a name in that directory) when it is not empty.
func openDuckAt(ctx context.Context, file, memory string, threads int) (*duck, error) {
	tempDir, err := os.MkdirTemp("", "sluice-duck-")
	if err != nil {
		return nil, fmt.Errorf("create DuckDB temporary directory: %w", err)
	}
	path := ""
	if file != "" {
		path = filepath.Join(tempDir, file)
	}
	d, err := openDuckWith(ctx, path, []string{
		"SET threads = " + strconv.Itoa(threads),
		"SET memory_limit = " + quoteString(memory),
		"SET temp_directory = " + quoteString(tempDir),
		"SET TimeZone = 'UTC'",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		// jemalloc's background threads hand freed pages back to the system
		// as a writer drops staging table after staging table; without them
		// the process grew by a few MiB per file written.
		"SET allocator_background_threads = true",
		// Freed memory goes back to the allocator's shared pool after each
		// task above this size (DuckDB's default is 128 MB), so one duck's
		// caches do not stay resident while the next one works.
		"SET allocator_flush_threshold = '32MB'",
	})
	if err != nil {
		_ = os.RemoveAll(tempDir)
		return nil, err
	}
	d.tempDir = tempDir
	return d, nil
}

// openDuckWith opens a DuckDB (in memory for an empty path) and runs setup
// statements.
func openDuckWith(ctx context.Context, path string, setup []string) (*duck, error) {
	connector, err := duckdb.NewConnector(path, nil)
	if err != nil {
		return nil, fmt.Errorf("open DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("connect to DuckDB: %w", err)
	}
	d := &duck{connector: connector, db: db, conn: conn, setup: setup}
	for _, s := range setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			d.Close()
			return nil, fmt.Errorf("configure DuckDB (%s): %w", s, err)
		}
	}
	return d, nil
}

// another returns a second connection to the database, set up like the
// first, for work that runs beside it.
func (d *duck) another(ctx context.Context) (*duck, error) {
	d.db.SetMaxOpenConns(2)
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect to DuckDB: %w", err)
	}
	o := &duck{connector: d.connector, db: d.db, conn: conn, setup: d.setup, borrowed: true}
	for _, s := range d.setup {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("configure DuckDB (%s): %w", s, err)
		}
	}
	return o, nil
}

// Close releases the database and its temporary files.
func (d *duck) Close() {
	if d == nil {
		return
	}
	if d.borrowed {
		_ = d.conn.Close()
		return
	}
	d.raw.close()
	_ = d.conn.Close()
	_ = d.db.Close()
	if d.tempDir != "" {
		_ = os.RemoveAll(d.tempDir)
	}
}

func (d *duck) exec(ctx context.Context, sql string) error {
	_, err := d.conn.ExecContext(ctx, sql)
	return err
}

// copyResult is what COPY … TO … (RETURN_STATS) reports about a written file.
type copyResult struct {
	Rows       int64
	Size       int64
	FooterSize int64
	// Stats are keyed by DuckDB's quoted column path, e.g. "l"."element".
	Stats map[string]map[string]string
}

// copyToParquet writes the result of a query to one Parquet file and returns
// the row count, sizes and per-column statistics the writer computed, in
// the given format.
func (d *duck) copyToParquet(ctx context.Context, query, path, fieldIDs string, preserveOrder bool, format fileFormat) (copyResult, error) {
	opts := "FORMAT parquet, RETURN_STATS true" + format.copyOptions()
	if !preserveOrder {
		opts += ", PRESERVE_ORDER false"
	}
	if fieldIDs != "" {
		opts += ", FIELD_IDS " + fieldIDs
	}
	row := d.conn.QueryRowContext(ctx, fmt.Sprintf("COPY (%s) TO %s (%s)", query, quoteString(path), opts))
	var (
		filename         string
		count, size, ftr any
		stats, parts     any
		res              copyResult
	)
	if err := row.Scan(&filename, &count, &size, &ftr, &stats, &parts); err != nil {
		return res, fmt.Errorf("write %s: %w", path, err)
	}
	res.Rows, res.Size, res.FooterSize = asInt64(count), asInt64(size), asInt64(ftr)
	res.Stats = map[string]map[string]string{}
	if m, ok := stats.(duckdb.Map); ok {
		for k, v := range m {
			inner := map[string]string{}
			if vm, ok := v.(duckdb.Map); ok {
				for sk, sv := range vm {
					inner[fmt.Sprint(sk)] = fmt.Sprint(sv)
				}
			}
			res.Stats[fmt.Sprint(k)] = inner
		}
	}
	return res, nil
}

func asInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case uint64:
		return int64(x) //nolint:gosec // file sizes and counts fit
	case int32:
		return int64(x)
	}
	n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n
}

// statsKey is DuckDB's name for a column path in RETURN_STATS.
func statsKey(path ...string) string {
	parts := make([]string, len(path))
	for i, p := range path {
		parts[i] = quoteIdent(p)
	}
	return strings.Join(parts, ".")
}
