package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/sluice-dev/sluice/connectors"
)

// withFake returns a connector whose pool talks to f instead of SQL Server.
func withFake(t *testing.T, f *fakeDriver) *Connector {
	t.Helper()
	creds := credsFor(t, map[string]any{"host": "db.example.com", "database": "d", "username": "u", "password": "hunter2-secret"})
	c, err := New(creds)
	if err != nil {
		t.Fatal(err)
	}
	c.db.Close()
	c.db = newFakeDB(f)
	t.Cleanup(func() { c.db.Close() })
	return c
}

func TestQueryRunsInARolledBackTransactionWithLimits(t *testing.T) {
	sel := "SELECT id, amount, at FROM t"
	f := &fakeDriver{answers: map[string]fakeResult{sel: {
		cols:  []string{"id", "amount", "at"},
		types: []string{"INT", "DECIMAL", "DATETIMEOFFSET"},
		rows: [][]driver.Value{
			{int64(1), []byte("123456789.123"), time.Date(2024, 1, 2, 4, 4, 5, 0, time.FixedZone("", 3600))},
			{int64(2), nil, nil},
			{int64(3), []byte("0.000"), nil},
		},
	}}}
	c := withFake(t, f)
	res, err := c.Query(context.Background(), sel, connectors.QueryOptions{MaxRows: 2, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 2 || !res.Truncated {
		t.Fatalf("got %d rows, truncated %v; want 2 and truncated", len(res.Rows), res.Truncated)
	}
	if got := res.Rows[0][1]; got != connectors.Decimal("123456789.123") {
		t.Errorf("amount = %#v", got)
	}
	if got := res.Rows[0][2].(time.Time); !got.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("at = %v, want the instant in UTC", got)
	}
	if res.Columns[1].Type.String() != "decimal(12,3)" || res.Columns[0].Type.Kind != connectors.KindInt {
		t.Errorf("column types = %v", res.Columns)
	}
	want := []string{"BEGIN", "SET LOCK_TIMEOUT 5000; SET ROWCOUNT 3;", sel}
	if strings.Join(f.log, "\n") != strings.Join(want, "\n") {
		t.Errorf("statements = %q, want %q", f.log, want)
	}
	if f.rollback != 1 || f.commit != 0 {
		t.Errorf("rollbacks %d, commits %d; the transaction must always roll back", f.rollback, f.commit)
	}
}

// TestQueryRefusesAStatementWithoutResultSet: a DELETE returns no result set;
// it is refused as not read-only, after its transaction was rolled back.
func TestQueryRefusesAStatementWithoutResultSet(t *testing.T) {
	f := &fakeDriver{}
	_, err := withFake(t, f).Query(context.Background(), "DELETE FROM t", connectors.QueryOptions{MaxRows: 10})
	if !errors.Is(err, connectors.ErrReadOnly) {
		t.Fatalf("DELETE: %v, want a read-only refusal", err)
	}
	if f.rollback != 1 || f.commit != 0 {
		t.Errorf("rollbacks %d, commits %d", f.rollback, f.commit)
	}
}

func TestQueryErrorsAreClassifiedAndRedacted(t *testing.T) {
	f := &fakeDriver{answers: map[string]fakeResult{
		"SELEC 1":       {err: mssql.Error{Number: 102, Message: "Incorrect syntax near 'SELEC'."}},
		"SELECT secret": {err: mssql.Error{Number: 229, Message: "The SELECT permission was denied on 'hunter2-secret'."}},
		"SELECT locked": {err: mssql.Error{Number: 1222, Message: "Lock request time out period exceeded."}},
		"SELECT gone":   {err: driver.ErrBadConn},
	}}
	c := withFake(t, f)
	cases := map[string]string{
		"SELEC 1":       connectors.QueryErrSyntax,
		"SELECT secret": connectors.QueryErrPermission,
		"SELECT locked": connectors.QueryErrTimeout,
		"SELECT gone":   connectors.QueryErrConnection,
	}
	for sql, kind := range cases {
		_, err := c.Query(context.Background(), sql, connectors.QueryOptions{MaxRows: 1})
		var qe *connectors.QueryError
		if !errors.As(err, &qe) || qe.Kind != kind {
			t.Errorf("%s: %v, want a %s QueryError", sql, err, kind)
			continue
		}
		if strings.Contains(qe.Message, "hunter2-secret") {
			t.Errorf("%s: message %q contains the password", sql, qe.Message)
		}
	}
}

func TestSessionLimitsWithoutBounds(t *testing.T) {
	if got := sessionLimits(connectors.QueryOptions{}); got != "SET LOCK_TIMEOUT -1; SET ROWCOUNT 0;" {
		t.Fatalf("unbounded limits = %q", got)
	}
}
