package bigquery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestAgainstRealServer runs the connector against real BigQuery:
// SLUICE_TEST_BIGQUERY_PROJECT names the project, SLUICE_TEST_BIGQUERY_CREDENTIALS
// holds a service-account key (the JSON itself, or the path of a file holding
// it) and SLUICE_TEST_BIGQUERY_LOCATION optionally sets the job location. The
// service account needs BigQuery Data Viewer and Job User; the test only
// reads, and its queries scan no table.
func TestAgainstRealServer(t *testing.T) {
	project, key := os.Getenv("SLUICE_TEST_BIGQUERY_PROJECT"), os.Getenv("SLUICE_TEST_BIGQUERY_CREDENTIALS")
	if project == "" || key == "" {
		t.Skip("SLUICE_TEST_BIGQUERY_PROJECT and SLUICE_TEST_BIGQUERY_CREDENTIALS are not set; no BigQuery to test against")
	}
	if !strings.HasPrefix(strings.TrimSpace(key), "{") {
		b, err := os.ReadFile(key)
		if err != nil {
			t.Fatalf("SLUICE_TEST_BIGQUERY_CREDENTIALS: %v", err)
		}
		key = string(b)
	}
	values := map[string]any{"project_id": project, "credentials_json": key}
	if loc := os.Getenv("SLUICE_TEST_BIGQUERY_LOCATION"); loc != "" {
		values["location"] = loc
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := New(ctx, credsFor(t, values))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)

	report, err := c.Validate(ctx)
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	t.Logf("datasets %v", report.Schemas)
	tables, err := c.Tables(ctx)
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	for _, tb := range tables {
		cols, err := c.Columns(ctx, tb.Ref())
		if err != nil {
			t.Fatalf("columns of %s: %v", tb.Ref(), err)
		}
		t.Logf("%s (%s): %d columns", tb.Ref(), tb.Kind, len(cols))
		if tb.Kind != connectors.TableKindTable {
			continue
		}
		// A dry run of a DELETE compiles it and reports its type; nothing runs.
		_, err = c.Query(ctx, fmt.Sprintf("DELETE FROM %s.%s WHERE FALSE", quoteIdent(tb.Schema), quoteIdent(tb.Name)), connectors.QueryOptions{MaxRows: 1})
		var qe *connectors.QueryError
		if !errors.Is(err, connectors.ErrReadOnly) && !(errors.As(err, &qe) && qe.Kind == connectors.QueryErrPermission) {
			t.Errorf("DELETE through Query: %v, want a read-only refusal", err)
		}
		break
	}
	res, err := c.Query(ctx, "SELECT n, NUMERIC '1.50' * n AS d FROM UNNEST([1, 2, 3]) AS n ORDER BY n",
		connectors.QueryOptions{MaxRows: 2, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	if len(res.Rows) != 2 || !res.Truncated || res.Rows[0][0] != int64(1) || res.Rows[1][1] != connectors.Decimal("3") {
		t.Errorf("query result = %+v", res)
	}
	_, err = c.Query(ctx, "SELEC 1", connectors.QueryOptions{MaxRows: 1})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrSyntax {
		t.Errorf("syntax error: %v", err)
	}
}
