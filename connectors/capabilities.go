package connectors

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// TableRef names a table (or view) in a source.
type TableRef struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
}

func (r TableRef) String() string {
	if r.Schema == "" {
		return r.Name
	}
	return r.Schema + "." + r.Name
}

// Table kinds.
const (
	TableKindTable            = "table"
	TableKindView             = "view"
	TableKindMaterializedView = "materialized_view"
	TableKindExternal         = "external"
)

// Table is a discovered table or view.
type Table struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	// RowEstimate is the catalog's estimate, nil when the source has none.
	RowEstimate *int64 `json:"row_estimate"`
	Comment     string `json:"comment,omitempty"`
}

// Ref returns the table's reference.
func (t Table) Ref() TableRef { return TableRef{Schema: t.Schema, Name: t.Name} }

// Column is a discovered column.
type Column struct {
	Name       string `json:"name"`
	SourceType string `json:"source_type"`
	Type       Type   `json:"type"`
	Nullable   bool   `json:"nullable"`
	PrimaryKey bool   `json:"primary_key"`
	// Ordinal is the 1-based position in the table.
	Ordinal int    `json:"ordinal"`
	Comment string `json:"comment,omitempty"`
}

// Discoverer lists a source's tables and their columns.
type Discoverer interface {
	Tables(ctx context.Context) ([]Table, error)
	Columns(ctx context.Context, t TableRef) ([]Column, error)
}

// QueryOptions bound a query. The connector enforces both on the source.
type QueryOptions struct {
	// MaxRows is the most rows returned; the result says if more were available.
	MaxRows int
	// Timeout is the statement timeout applied by the source and by the context.
	Timeout time.Duration
	// MaxBytes and MaxValueBytes bound the answer's size (see budget.go);
	// zero means DefaultMaxResultBytes and DefaultMaxValueBytes.
	MaxBytes      int64
	MaxValueBytes int
}

// ResultColumn describes a column of a query result.
type ResultColumn struct {
	Name       string `json:"name"`
	Type       Type   `json:"type"`
	SourceType string `json:"source_type,omitempty"`
}

// ResultSet is a bounded query result. Row values are normalized: nil, bool,
// int64, float64, string, Decimal (exact text), time.Time, Date, TimeOfDay,
// []byte, JSON (raw text), UUID text as string, and []any for arrays.
type ResultSet struct {
	Columns   []ResultColumn `json:"columns"`
	Rows      [][]any        `json:"rows"`
	Truncated bool           `json:"truncated"`
	// TruncatedReason says why, when Truncated: TruncatedRows,
	// TruncatedBytes or TruncatedValueBytes.
	TruncatedReason string `json:"truncated_reason,omitempty"`
}

// Querier runs one read-only statement, limited in rows and time.
type Querier interface {
	Query(ctx context.Context, sql string, opts QueryOptions) (*ResultSet, error)
}

// Dialect names the SQL dialect a connector speaks, for the read-only guard
// and the cube-query compiler.
type Dialect string

// SQL dialects.
const (
	DialectPostgres  Dialect = "postgres"
	DialectRedshift  Dialect = "redshift"
	DialectMySQL     Dialect = "mysql"
	DialectSQLServer Dialect = "sqlserver"
	DialectBigQuery  Dialect = "bigquery"
	DialectSnowflake Dialect = "snowflake"
	DialectDuckDB    Dialect = "duckdb"
)

// Decimal is an exact decimal value as text, so no precision is lost on its
// way to JSON (it is encoded as a string).
type Decimal string

// Date is a calendar date, YYYY-MM-DD.
type Date string

// TimeOfDay is a time without a date, HH:MM:SS[.ffffff].
type TimeOfDay string

// JSON is a JSON document as raw text.
type JSON string

// QueryError kinds, mapped by the API to statuses (syntax and other 400,
// timeout 504, connection 502, permission 403, not found 404, gone 410).
const (
	QueryErrSyntax     = "syntax"
	QueryErrTimeout    = "timeout"
	QueryErrConnection = "connection"
	QueryErrPermission = "permission"
	QueryErrNotFound   = "not_found"
	QueryErrOther      = "other"
	// QueryErrGone is time travel to a lake snapshot that expired.
	QueryErrGone = "gone"
)

// QueryError is a failed query with the source's own message.
type QueryError struct {
	Kind    string
	Message string
}

func (e *QueryError) Error() string { return fmt.Sprintf("%s error: %s", e.Kind, e.Message) }

// ErrReadOnly means the read-only guard refused a statement before it was sent.
var ErrReadOnly = errors.New("statement is not read-only")

// ReadOnlyError explains why the guard refused a statement.
type ReadOnlyError struct{ Reason string }

func (e *ReadOnlyError) Error() string { return "only read-only statements are allowed: " + e.Reason }

// Is makes errors.Is(err, ErrReadOnly) true for every ReadOnlyError.
func (e *ReadOnlyError) Is(target error) bool { return target == ErrReadOnly }

// RowSink receives rows read in bulk. Batches are only valid during the call.
// A reader may call its sink from a goroutine of its own (to decode while the
// sink writes), one call at a time and done before Read returns.
type RowSink interface {
	WriteBatch(ctx context.Context, rows [][]any) error
}

// ChunkSink is a RowSink that also learns where each ordered chunk of a
// resumable read ended: everything up to lastKey has been delivered, so a
// read that restarts may start after it.
type ChunkSink interface {
	RowSink
	ChunkDone(ctx context.Context, lastKey []any) error
}

// ReadRequest asks for a table's rows, optionally only those past a cursor.
type ReadRequest struct {
	Table   TableRef
	Columns []Column
	// CursorField, when set, selects only rows whose value is greater than
	// CursorAfter (all rows if CursorAfter is nil): an incremental read.
	CursorField string
	CursorAfter any
	// OrderBy, when set, makes the read resumable: rows arrive ordered by these
	// columns (unique together, e.g. the primary key) in chunks of ChunkRows,
	// starting after the key ResumeAfter (nil: from the start).
	OrderBy     []string
	ResumeAfter []any
	ChunkRows   int
	// UpTo, with OrderBy, ends the read at this key (inclusive): with
	// ResumeAfter it reads one key range of the table (see KeyBounder).
	UpTo []any
	// BatchSize is how many rows a sink batch holds.
	BatchSize int
	// Snapshot, when set, is a snapshot the source exported (a Postgres
	// replication slot's): the read sees the table as of it.
	Snapshot string
}

// ReadStats summarize a bulk read.
type ReadStats struct {
	Rows  int64 `json:"rows"`
	Bytes int64 `json:"bytes"`
	// MaxCursor is the greatest cursor value read, for the next incremental read.
	MaxCursor any `json:"max_cursor,omitempty"`
}

// Reader reads a table in bulk, streaming batches to a sink with bounded memory.
type Reader interface {
	Read(ctx context.Context, req ReadRequest, sink RowSink) (ReadStats, error)
}

// KeyBounder gives the least and greatest value of a table's integer key
// column (an index lookup), so a large table can be read as key ranges by
// separate activities. ok is false when the table is empty.
type KeyBounder interface {
	KeyBounds(ctx context.Context, t TableRef, column string) (lo, hi int64, ok bool, err error)
}

// KeyQuantiler gives up to n-1 ascending cut points that split a table's
// integer key column into n parts of about equal rows, from the source's
// statistics (a histogram), not a scan: a split of a table whose keys are
// unevenly spread stays even. ok is false when there are none.
type KeyQuantiler interface {
	KeyQuantiles(ctx context.Context, t TableRef, column string, n int) (cuts []int64, ok bool, err error)
}

// DialectOf is implemented by connectors that run SQL.
type DialectOf interface {
	Dialect() Dialect
}

// RowEstimator gives the source's own cheap estimate of a table's rows (its
// statistics, not a count), so a copy in progress can say how much is left.
// ok is false when the source has no estimate (never analyzed, a view).
type RowEstimator interface {
	EstimateRows(ctx context.Context, t TableRef) (rows int64, ok bool, err error)
}
