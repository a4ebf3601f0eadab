package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// queryDriver runs query on conn's driver connection and hands its rows to
// each. Reading the driver's rows directly skips database/sql's conversion
// and copy of every value: a row's values alias the driver's buffer until
// the next row is read.
func (c *Connector) queryDriver(ctx context.Context, conn *sql.Conn, query string, args []any, each func(driver.Rows) error) error {
	return conn.Raw(func(dc any) error {
		named, err := namedValues(dc, args)
		if err != nil {
			return err
		}
		rows, err := startQuery(ctx, dc, query, named)
		if err != nil {
			return c.queryError(err)
		}
		defer rows.Close()
		return each(rows)
	})
}

// namedValues converts bind arguments as database/sql would for the driver.
func namedValues(dc any, args []any) ([]driver.NamedValue, error) {
	named := make([]driver.NamedValue, len(args))
	checker, _ := dc.(driver.NamedValueChecker)
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		var err error
		if checker != nil {
			err = checker.CheckNamedValue(&named[i])
		} else {
			named[i].Value, err = driver.DefaultParameterConverter.ConvertValue(a)
		}
		if err != nil {
			return nil, fmt.Errorf("bind argument %d (%T): %w", i+1, a, err)
		}
	}
	return named, nil
}

// startQuery runs a query as database/sql does: as a plain query (the text
// protocol) or, when the driver asks for it (bind parameters it does not
// interpolate), as a prepared statement (the binary protocol).
func startQuery(ctx context.Context, dc any, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := dc.(driver.QueryerContext); ok {
		rows, err := q.QueryContext(ctx, query, args)
		if !errors.Is(err, driver.ErrSkip) {
			return rows, err
		}
	}
	p, ok := dc.(driver.ConnPrepareContext)
	if !ok {
		return nil, fmt.Errorf("the driver's connection (%T) cannot prepare statements", dc)
	}
	stmt, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	sq, ok := stmt.(driver.StmtQueryContext)
	if !ok {
		_ = stmt.Close()
		return nil, fmt.Errorf("the driver's statement (%T) cannot query with a context", stmt)
	}
	rows, err := sq.QueryContext(ctx, args)
	if err != nil {
		_ = stmt.Close()
		return nil, err
	}
	return &stmtRows{Rows: rows, stmt: stmt}, nil
}

// stmtRows closes its prepared statement after its rows.
type stmtRows struct {
	driver.Rows
	stmt driver.Stmt
}

func (r *stmtRows) Close() error {
	return errors.Join(r.Rows.Close(), r.stmt.Close())
}
