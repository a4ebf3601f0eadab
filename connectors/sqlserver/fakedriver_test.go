package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"sync"
)

// fakeDriver is a database/sql driver that stands in for go-mssqldb in tests
// of the connector's own logic (transactions, limits, batching, value
// normalization): it records every statement and answers from a script. It
// says nothing about SQL Server itself; TestAgainstRealServer does.
type fakeDriver struct {
	mu       sync.Mutex
	log      []string
	answers  map[string]fakeResult
	rollback int
	commit   int
}

// fakeResult is the answer to one statement: columns with the driver's type
// names and rows of driver values, or an error.
type fakeResult struct {
	cols  []string
	types []string
	rows  [][]driver.Value
	err   error
}

func newFakeDB(f *fakeDriver) *sql.DB { return sql.OpenDB(fakeConnector{f}) }

func (f *fakeDriver) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
}

type fakeConnector struct{ f *fakeDriver }

func (c fakeConnector) Connect(context.Context) (driver.Conn, error) { return &fakeConn{c.f}, nil }
func (c fakeConnector) Driver() driver.Driver                        { return nil }

type fakeConn struct{ f *fakeDriver }

func (c *fakeConn) Prepare(string) (driver.Stmt, error) { return nil, driver.ErrSkip }
func (c *fakeConn) Close() error                        { return nil }
func (c *fakeConn) Begin() (driver.Tx, error)           { c.f.record("BEGIN"); return fakeTx{c.f}, nil }

func (c *fakeConn) ExecContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Result, error) {
	c.f.record(query)
	return driver.RowsAffected(0), nil
}

func (c *fakeConn) QueryContext(_ context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	entry := query
	for _, a := range args {
		entry += fmt.Sprintf(" | %T %v", a.Value, a.Value)
	}
	c.f.record(entry)
	ans, ok := c.f.answers[query]
	if !ok {
		return &fakeRows{}, nil // like a statement with no result set
	}
	if ans.err != nil {
		return nil, ans.err
	}
	return &fakeRows{res: ans}, nil
}

// CheckNamedValue passes parameters through as go-mssqldb would accept them
// (civil dates, DateTimeOffset), which database/sql's default converter refuses.
func (c *fakeConn) CheckNamedValue(*driver.NamedValue) error { return nil }

type fakeTx struct{ f *fakeDriver }

func (t fakeTx) Commit() error { t.f.mu.Lock(); t.f.commit++; t.f.mu.Unlock(); return nil }
func (t fakeTx) Rollback() error {
	t.f.mu.Lock()
	t.f.rollback++
	t.f.mu.Unlock()
	return nil
}

type fakeRows struct {
	res fakeResult
	i   int
}

func (r *fakeRows) Columns() []string                                 { return r.res.cols }
func (r *fakeRows) Close() error                                      { return nil }
func (r *fakeRows) ColumnTypeDatabaseTypeName(i int) string           { return r.res.types[i] }
func (r *fakeRows) ColumnTypePrecisionScale(int) (int64, int64, bool) { return 12, 3, true }

func (r *fakeRows) Next(dest []driver.Value) error {
	if r.i >= len(r.res.rows) {
		return io.EOF
	}
	copy(dest, r.res.rows[r.i])
	r.i++
	return nil
}
