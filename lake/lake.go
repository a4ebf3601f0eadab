// Package lake is each team's lake in the DuckLake format (specification
// version 1.0, ducklake.select): a catalog of DuckLake tables in one Postgres
// schema per team, and Parquet files under the team's data directory.
//
// sluice writes the catalog itself with pgx, because the DuckDB ducklake
// extension cannot be installed here, and writes Parquet with an embedded
// DuckDB. A DuckDB with the official extension can ATTACH the catalog
// ('ducklake:postgres:…' with METADATA_SCHEMA set to the team's schema) and
// read every table. README.md lists which parts of the specification sluice
// writes.
package lake

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Limits bound the memory and size of the lake's DuckDB work.
type Limits struct {
	// FileMaxRows rolls a TableWriter to a new Parquet file after this many rows.
	FileMaxRows int64
	// FileMaxBytes rolls a TableWriter to a new file once the buffered values
	// reach about this many bytes.
	FileMaxBytes int64
	// WriterMemory is DuckDB's memory_limit while writing and merging.
	WriterMemory string
	// QueryMemory is DuckDB's memory_limit for a team's query.
	QueryMemory string
	// QueryThreads is DuckDB's thread count for a team's query.
	QueryThreads int
}

// DefaultLimits keep a writer and a query well under 512 MiB of memory. A
// writer holds two staging tables of up to FileMaxRows rows (one being
// written out), so files are kept to one row group of DuckDB's default size;
// FileMaxBytes cuts them short for wide rows (a worker copying a 20-column
// table of text, numerics and jsonb peaked at 520–554 MiB at 64 MiB, 500–505
// MiB at 32 MiB, 419–421 MiB at 16 MiB, in the same time).
var DefaultLimits = Limits{
	FileMaxRows:  122_880,
	FileMaxBytes: 16 << 20,
	WriterMemory: "256MB",
	QueryMemory:  "512MB",
	QueryThreads: 2,
}

// Lake is one team's lake: its catalog schema in sluice's Postgres and its
// data directory. It is safe for concurrent use.
type Lake struct {
	pool     *pgxpool.Pool
	schema   string
	dataPath string
	lockKey  int64
	// store and cache are set when the files live on object storage (see
	// WithStorage); dataPath is then a working directory and cache.
	store Storage
	cache *Cache
	// Limits may be changed before the lake is used.
	Limits Limits
}

// ErrInvalidSchema means a catalog schema name is not a plain lower-case
// Postgres identifier.
var ErrInvalidSchema = errors.New("invalid lake catalog schema name")

var catalogSchemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CatalogSchemaFor returns the Postgres schema that holds a team's lake
// catalog: "lake_" and the team id in hex without dashes.
func CatalogSchemaFor(teamID uuid.UUID) string {
	return "lake_" + strings.ReplaceAll(teamID.String(), "-", "")
}

// Open returns the lake whose catalog lives in catalogSchema and whose files
// live under dataPath, creating the catalog tables and the directory if they
// do not exist yet. Concurrent calls for the same lake are safe.
func Open(ctx context.Context, pool *pgxpool.Pool, catalogSchema, dataPath string, opts ...Option) (*Lake, error) {
	if !catalogSchemaRE.MatchString(catalogSchema) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidSchema, catalogSchema)
	}
	abs, err := filepath.Abs(dataPath)
	if err != nil {
		return nil, fmt.Errorf("resolve lake data path %s: %w", dataPath, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("create lake data directory: %w", err)
	}
	l := &Lake{pool: pool, schema: catalogSchema, dataPath: filepath.Clean(abs), lockKey: CommitLockKey(catalogSchema), Limits: DefaultLimits}
	for _, o := range opts {
		o(l)
	}
	if l.store != nil {
		l.cache.adopt(l.dataPath)
	}
	if err := l.ensureCatalog(ctx); err != nil {
		return nil, fmt.Errorf("open lake %s: %w", catalogSchema, err)
	}
	return l, nil
}

// DataPath returns the absolute directory that holds the lake's files (on
// object storage, the working directory and cache of them).
func (l *Lake) DataPath() string { return l.dataPath }

// CatalogSchema returns the Postgres schema that holds the lake's catalog.
func (l *Lake) CatalogSchema() string { return l.schema }

// CommitLockKey derives the Postgres advisory lock every commit to the lake
// whose catalog is in schema holds (pg_locks shows who waits on whom). Two
// lakes sharing a key only wait for each other, never corrupt.
func CommitLockKey(schema string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte("sluice-lake:" + schema))
	return int64(h.Sum64()) //nolint:gosec // a hash, wrapping is fine
}

// q expands {S} in a catalog statement to the quoted catalog schema.
func (l *Lake) q(sql string) string {
	return strings.ReplaceAll(sql, "{S}", quoteIdent(l.schema))
}

// quoteIdent quotes an identifier for Postgres and DuckDB alike.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// quoteString quotes a string literal for Postgres and DuckDB alike.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// dirName turns a schema or table name into one safe path segment: letters,
// digits, '_' and '-' stay, everything else (including '.') is %XX-escaped,
// so no name can climb out of the lake directory.
func dirName(name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	if b.Len() == 0 {
		return "%00"
	}
	return b.String()
}
