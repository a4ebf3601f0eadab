package snowflake

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestAgainstRealServer runs the connector against a real Snowflake account.
// It reads SLUICE_TEST_SNOWFLAKE_ACCOUNT, _USER, _WAREHOUSE and _DATABASE,
// and _PASSWORD or _PRIVATE_KEY (PEM text, or the path of a PEM file), with
// _ROLE and _SCHEMA optional. The test only reads.
func TestAgainstRealServer(t *testing.T) {
	env := func(name string) string { return os.Getenv("SLUICE_TEST_SNOWFLAKE_" + name) }
	values := map[string]any{"account": env("ACCOUNT"), "username": env("USER"), "warehouse": env("WAREHOUSE"),
		"database": env("DATABASE"), "password": env("PASSWORD"), "role": env("ROLE"), "schema": env("SCHEMA")}
	key := env("PRIVATE_KEY")
	if key != "" && !strings.Contains(key, "BEGIN") {
		b, err := os.ReadFile(key)
		if err != nil {
			t.Fatalf("SLUICE_TEST_SNOWFLAKE_PRIVATE_KEY: %v", err)
		}
		key = string(b)
	}
	values["private_key"] = key
	if values["account"] == "" || values["username"] == "" || values["warehouse"] == "" || values["database"] == "" ||
		(values["password"] == "" && key == "") {
		t.Skip("SLUICE_TEST_SNOWFLAKE_ACCOUNT, _USER, _WAREHOUSE, _DATABASE and _PASSWORD or _PRIVATE_KEY are not set; no Snowflake to test against")
	}
	spec, _ := connectors.Lookup("snowflake")
	config, secrets, err := spec.Normalize(values)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	defer c.Close(ctx)

	report, err := c.Validate(ctx)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	t.Logf("%s, schemas %v", report.ServerVersion, report.Schemas)
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
				req.OrderBy = append(req.OrderBy, col.Name)
			}
		}
		stats, err := c.Read(ctx, req, discardSink{})
		if err != nil {
			t.Fatalf("read %s: %v", tables[0].Ref(), err)
		}
		t.Logf("%s: %d columns, %d rows read", tables[0].Ref(), len(cols), stats.Rows)
	}
	res, err := c.Query(ctx, `SELECT column1 AS n, column1::NUMBER(12,3) / 8 AS d, PARSE_JSON('{"k": 1}') AS j
		FROM VALUES (1), (2), (3) ORDER BY n`, connectors.QueryOptions{MaxRows: 2, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if len(res.Rows) != 2 || !res.Truncated || res.Rows[0][0] != int64(1) || res.Columns[1].Type.Kind != connectors.KindDecimal {
		t.Errorf("query result = %+v", res)
	}
	if _, ok := res.Rows[0][2].(connectors.JSON); !ok {
		t.Errorf("VARIANT = %#v, want JSON", res.Rows[0][2])
	}
	_, err = c.Query(ctx, "SELEC 1", connectors.QueryOptions{MaxRows: 1})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrSyntax {
		t.Errorf("syntax error: %v", err)
	}
	start := time.Now()
	_, err = c.Query(ctx, "SELECT SYSTEM$WAIT(10)", connectors.QueryOptions{MaxRows: 1, Timeout: time.Second})
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout || time.Since(start) > 8*time.Second {
		t.Errorf("slow statement: %v after %s", err, time.Since(start))
	}
}

type discardSink struct{}

func (discardSink) WriteBatch(context.Context, [][]any) error { return nil }
