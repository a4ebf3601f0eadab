package lake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/connectors"
)

// QueryOptions bound a query over the lake and choose the snapshot it reads.
type QueryOptions struct {
	// MaxRows is the most rows returned; the result says if more were available.
	MaxRows int
	// Timeout interrupts the query when it runs longer.
	Timeout time.Duration
	// Snapshot reads the lake as of this snapshot id.
	Snapshot *int64
	// At reads the newest snapshot taken at or before this time.
	At *time.Time
	// MaxBytes and MaxValueBytes bound the answer's size (see
	// connectors.ResultBuilder); zero means the defaults.
	MaxBytes      int64
	MaxValueBytes int
}

// Query runs one read-only DuckDB SELECT over the lake's tables, each a view
// "<schema>"."<table>" as of the chosen snapshot (the current one by
// default). The query runs in a private in-memory DuckDB that may read the
// lake's own directory and nothing else: other files, ATTACH, INSTALL/LOAD,
// COPY and SET are refused. Values come back in connectors.ResultSet's forms.
func (l *Lake) Query(ctx context.Context, query string, opts QueryOptions) (*connectors.ResultSet, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	snap, err := l.pickSnapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	ctx, release := withLease(ctx, l.cache)
	defer release()
	d, err := l.sandbox(ctx, snap.ID, query)
	if err != nil {
		return nil, l.queryError(ctx, err)
	}
	defer d.Close()
	// Parsing only, then the macros, then preparing: preparing folds
	// constants, and a repeat('x', 1500000000) folded before the macros
	// existed built its 1.5 GB.
	if err := refuseIntrospection(ctx, d.conn, query); err != nil {
		return nil, l.queryError(ctx, err)
	}
	limits := connectors.QueryOptions{MaxRows: opts.MaxRows, MaxBytes: opts.MaxBytes, MaxValueBytes: opts.MaxValueBytes}
	_, valueCap := limits.Limits()
	if err := installBuilderMacros(ctx, d.conn, valueCap); err != nil {
		return nil, l.queryError(ctx, err)
	}
	if err := checkStatement(ctx, d.conn, query); err != nil {
		return nil, l.queryError(ctx, err)
	}
	rows, err := d.conn.QueryContext(ctx, cappedQuery(ctx, d.conn, query, valueCap))
	if err != nil {
		return nil, l.queryError(ctx, err)
	}
	defer rows.Close()
	res, err := collectCapped(rows, limits)
	if err != nil {
		return nil, l.queryError(ctx, err)
	}
	scrubResult(res, l.hostPaths())
	return res, nil
}

// pickSnapshot resolves QueryOptions to a snapshot.
func (l *Lake) pickSnapshot(ctx context.Context, opts QueryOptions) (snapshot, error) {
	var (
		s   snapshot
		err error
	)
	switch {
	case opts.Snapshot != nil:
		s, err = l.snapshotByID(ctx, l.pool, *opts.Snapshot)
	case opts.At != nil:
		s, err = l.snapshotAt(ctx, l.pool, *opts.At)
	default:
		s, err = l.latestSnapshot(ctx, l.pool)
	}
	if errors.Is(err, errNoSnapshot) {
		return s, l.missingSnapshot(ctx, opts, err)
	}
	if err != nil {
		return s, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: "read the lake catalog: " + err.Error()}
	}
	return s, nil
}

// sandbox opens a DuckDB with a view per table at the snapshot, then locks
// it down: only the lake's directory is readable and no setting can change.
// On object storage only the tables query names are there, their files
// fetched first.
func (l *Lake) sandbox(ctx context.Context, snap int64, query string) (*duck, error) {
	tables, err := l.loadTables(ctx, l.pool, snap)
	if err != nil {
		return nil, err
	}
	d, err := openDuckWith(ctx, "", []string{
		"SET threads = " + strconv.Itoa(max(l.Limits.QueryThreads, 1)),
		"SET memory_limit = " + quoteString(l.Limits.QueryMemory),
		// No spilling: a query is bounded by memory_limit, not the disk.
		"SET temp_directory = ''",
		"SET TimeZone = 'UTC'",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET allow_community_extensions = false",
	})
	if err != nil {
		return nil, err
	}
	if l.store != nil {
		// DuckDB checks a view's files exist when it creates it, so only
		// the tables the query names get one, and their files are fetched.
		named := namedIn(query)
		tables = slices.DeleteFunc(tables, func(t *lakeTable) bool { return !named(t) })
	}
	files, err := l.readFiles(ctx, l.pool, snap, nil)
	if err == nil {
		err = l.fetchTables(ctx, tables, files, nil)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	schemas := map[string]bool{}
	for _, t := range tables {
		view, err := l.viewSQL(t, files[t.ID])
		if err != nil {
			d.Close()
			return nil, err
		}
		stmt := fmt.Sprintf("CREATE VIEW %s.%s AS %s", quoteIdent(t.Schema.Name), quoteIdent(t.Name), view)
		if !schemas[t.Schema.Name] {
			schemas[t.Schema.Name] = true
			stmt = fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s; %s", quoteIdent(t.Schema.Name), stmt)
		}
		if err := d.exec(ctx, stmt); err != nil {
			d.Close()
			return nil, fmt.Errorf("create view %s.%s: %w", t.Schema.Name, t.Name, err)
		}
	}
	for _, s := range []string{
		"SET allowed_directories = [" + quoteString(l.dataPath+"/") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	} {
		if err := d.exec(ctx, s); err != nil {
			d.Close()
			return nil, fmt.Errorf("lock down DuckDB: %w", err)
		}
	}
	return d, nil
}

// errMultipleStatements is how duckdb-go refuses to prepare several statements.
const errMultipleStatements = "multi-statement"

// checkStatement prepares the query without running it: it must be exactly
// one SELECT. Anything else could write (COPY … TO a file in the lake's own
// directory) or change the sandbox.
func checkStatement(ctx context.Context, conn *sql.Conn, query string) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected DuckDB connection %T", dc)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		stmt, err := c.Prepare(query)
		if err != nil {
			if strings.Contains(err.Error(), errMultipleStatements) {
				return &connectors.QueryError{Kind: connectors.QueryErrSyntax, Message: "a query must be a single statement"}
			}
			return err
		}
		defer stmt.Close()
		ds, ok := stmt.(*duckdb.Stmt)
		if !ok {
			return fmt.Errorf("unexpected DuckDB statement %T", stmt)
		}
		typ, err := ds.StatementType()
		if err != nil {
			return err
		}
		if typ != duckdb.STATEMENT_TYPE_SELECT {
			return &connectors.ReadOnlyError{Reason: fmt.Sprintf("the lake is read-only and accepts only SELECT queries, not %s", statementName(query))}
		}
		return nil
	})
}

// statementName is the first word of a statement, for messages.
func statementName(query string) string {
	fields := strings.Fields(query)
	if len(fields) == 0 {
		return "an empty statement"
	}
	return strings.ToUpper(strings.Trim(fields[0], "(;")) + " statements"
}

// queryError classifies DuckDB's errors as connectors.QueryError kinds,
// without the lake's absolute path.
func (l *Lake) queryError(ctx context.Context, err error) error {
	var qe *connectors.QueryError
	var ro *connectors.ReadOnlyError
	if errors.As(err, &qe) || errors.As(err, &ro) {
		return err
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	case errors.Is(ctx.Err(), context.Canceled):
		return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: "the query was cancelled"}
	}
	kind := connectors.QueryErrOther
	msg := err.Error()
	var de *duckdb.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdb.ErrorTypeParser, duckdb.ErrorTypeSyntax, duckdb.ErrorTypeBinder, duckdb.ErrorTypeCatalog:
			kind = connectors.QueryErrSyntax
		case duckdb.ErrorTypeInterrupt:
			kind = connectors.QueryErrTimeout
		case duckdb.ErrorTypePermission:
			kind = connectors.QueryErrPermission
		}
		msg = de.Msg
		if de.Type == duckdb.ErrorTypeOutOfMemory {
			msg = fmt.Sprintf("the query needs more than a lake query's %s of memory; split it or make it simpler "+
				"(each GROUP BY, ORDER BY or join holds its own memory, so many UNION ALL branches of them add up): %s", l.Limits.QueryMemory, de.Msg)
		}
	}
	if i := strings.Index(msg, "\n\nStack Trace"); i >= 0 {
		msg = msg[:i]
	}
	msg = scrub(strings.TrimSpace(msg), l.hostPaths())
	return &connectors.QueryError{Kind: kind, Message: msg}
}
