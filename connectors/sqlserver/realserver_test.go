package sqlserver

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// TestAgainstRealServer runs the connector against a real SQL Server named by
// SLUICE_TEST_SQLSERVER_URL, e.g.
// sqlserver://sluice:pw@localhost:1433?database=sales&encrypt=true&trust_server_certificate=true
// It only reads (its write attempt is rolled back), so any database will do.
func TestAgainstRealServer(t *testing.T) {
	raw := os.Getenv("SLUICE_TEST_SQLSERVER_URL")
	if raw == "" {
		t.Skip("SLUICE_TEST_SQLSERVER_URL is not set; no SQL Server to test against")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("SLUICE_TEST_SQLSERVER_URL: %v", err)
	}
	password, _ := u.User.Password()
	values := map[string]any{"host": u.Hostname(), "username": u.User.Username(), "password": password,
		"database": u.Query().Get("database")}
	if p, err := strconv.Atoi(u.Port()); err == nil {
		values["port"] = p
	}
	for _, k := range []string{"encrypt", "trust_server_certificate"} {
		if v := u.Query().Get(k); v != "" {
			values[k] = v
		}
	}
	netguard.SetAllowPrivate(true) // test servers usually live on a private network
	t.Cleanup(func() { netguard.SetAllowPrivate(false) })
	c, err := New(credsFor(t, values))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	report, err := c.Validate(ctx)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	t.Logf("server %s, schemas %v", report.ServerVersion, report.Schemas)
	tables, err := c.Tables(ctx)
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	if len(tables) > 0 {
		cols, err := c.Columns(ctx, tables[0].Ref())
		if err != nil {
			t.Fatalf("columns of %s: %v", tables[0].Ref(), err)
		}
		req := connectors.ReadRequest{Table: tables[0].Ref(), Columns: cols, BatchSize: 100, ChunkRows: 1000}
		for _, col := range cols {
			if col.PrimaryKey {
				req.OrderBy = append(req.OrderBy, col.Name) // read in resumable chunks
			}
		}
		stats, err := c.Read(ctx, req, discardSink{})
		if err != nil {
			t.Fatalf("read %s: %v", tables[0].Ref(), err)
		}
		t.Logf("%s: %d columns, %d rows read", tables[0].Ref(), len(cols), stats.Rows)
	}
	if _, err := c.Columns(ctx, connectors.TableRef{Schema: "dbo", Name: "sluice_no_such_table"}); !isKind(err, connectors.QueryErrNotFound) {
		t.Errorf("columns of a missing table: %v", err)
	}

	res, err := c.Query(ctx, "SELECT n, CAST(n AS decimal(12,3)) / 8 AS d FROM (VALUES (1), (2), (3)) v(n) ORDER BY n",
		connectors.QueryOptions{MaxRows: 2, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if len(res.Rows) != 2 || !res.Truncated || res.Rows[0][0] != int64(1) || res.Columns[1].Type.Kind != connectors.KindDecimal {
		t.Errorf("query result = %+v", res)
	}
	if _, err := c.Query(ctx, "SELEC 1", connectors.QueryOptions{MaxRows: 1}); !isKind(err, connectors.QueryErrSyntax) {
		t.Errorf("syntax error: %v", err)
	}
	start := time.Now()
	_, err = c.Query(ctx, "WAITFOR DELAY '00:00:10'; SELECT 1", connectors.QueryOptions{MaxRows: 1, Timeout: time.Second})
	if !isKind(err, connectors.QueryErrTimeout) || time.Since(start) > 5*time.Second {
		t.Errorf("slow query: %v after %s", err, time.Since(start))
	}
	if _, err := c.Query(ctx, "CREATE TABLE #sluice_probe (a int)", connectors.QueryOptions{MaxRows: 1}); !errors.Is(err, connectors.ErrReadOnly) {
		t.Errorf("CREATE TABLE through Query: %v, want a read-only refusal", err)
	}
}

func isKind(err error, kind string) bool {
	var qe *connectors.QueryError
	return errors.As(err, &qe) && qe.Kind == kind
}

type discardSink struct{}

func (discardSink) WriteBatch(context.Context, [][]any) error { return nil }
