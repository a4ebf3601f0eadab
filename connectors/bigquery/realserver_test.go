package bigquery

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
)

// TestAgainstRealServer runs the shared conformance suite against real
// BigQuery, then reads its fixture through the Storage Read API as well:
// SLUICE_TEST_BIGQUERY_PROJECT names the project, SLUICE_TEST_BIGQUERY_CREDENTIALS
// holds a service-account key (the JSON itself, or the path of a file holding
// it) and SLUICE_TEST_BIGQUERY_LOCATION optionally sets the location of jobs
// and of the fixture's dataset. The suite creates a dataset of its own
// (conf_…, dropped afterwards), so the service account needs BigQuery Data
// Editor, Job User and Read Session User on the project; the connector
// itself only reads.
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
	location := os.Getenv("SLUICE_TEST_BIGQUERY_LOCATION")
	options := ""
	if location != "" {
		values["location"] = location
		options = fmt.Sprintf(" OPTIONS (location = '%s')", location)
	}
	dataset := conformance.NewSchemaName()
	conformance.Run(t, conformance.Fixture{
		Type:           "bigquery",
		Credentials:    values,
		Schema:         dataset,
		QualifiedTable: dataset + ".kinds",
		// BigQuery cannot sleep: a trillion-row cross join of generated
		// arrays runs for minutes and scans no table.
		SleepSQL: "SELECT COUNT(*) FROM UNNEST(GENERATE_ARRAY(1, %d00000)) AS a CROSS JOIN UNNEST(GENERATE_ARRAY(1, 1000000)) AS b",
		// GoogleSQL's DELETE requires a WHERE clause.
		WriteSQL: "DELETE FROM " + dataset + ".kinds WHERE TRUE",
		Setup: func(t *testing.T) func() {
			runScript(t, values, `CREATE SCHEMA `+dataset+options+`;
CREATE TABLE `+dataset+`.kinds (
  id INT64 NOT NULL, big INT64, ratio FLOAT64, amount NUMERIC(12, 3), flag BOOL, day DATE,
  label STRING NOT NULL, doc JSON, raw BYTES, at TIMESTAMP, PRIMARY KEY (id) NOT ENFORCED);
INSERT INTO `+dataset+`.kinds VALUES
  (1, 9007199254740993, 0.25, NUMERIC '123456789.123', TRUE, DATE '2024-02-29', "héllo, 'world'",
   JSON '{"k": [1, 2]}', b'\x00\x01\xff', TIMESTAMP '2024-01-02 03:04:05+00'),
  (2, -1, -1.5, NUMERIC '-0.001', FALSE, DATE '1999-12-31', 'second', JSON '[]', b'', TIMESTAMP '1970-01-01 00:00:00+00'),
  (3, NULL, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL);
CREATE VIEW `+dataset+`.kinds_view AS SELECT id, label FROM `+dataset+`.kinds;`)
			return func() { runScript(t, values, "DROP SCHEMA "+dataset+" CASCADE") }
		},
		Skip: map[string]string{
			"wrong password": "BigQuery authenticates with a service-account key, not a user and password; " +
				"a key Google refuses is tested against the fake (TestValidateRefusedKey)",
		},
	})
	t.Run("bulk read through the Storage Read API", func(t *testing.T) {
		testStorageAgainstREST(t, values, connectors.TableRef{Schema: dataset, Name: "kinds"})
	})
}

// testStorageAgainstREST reads ref through a read session on the table
// (unordered) and through a query's result table (ordered by id), and
// checks both give the rows the REST path gives.
func testStorageAgainstREST(t *testing.T, values map[string]any, ref connectors.TableRef) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	open := func(s settings) *Connector {
		c, err := newConnector(ctx, credsFor(t, values), s)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		return c
	}
	read := func(c *Connector, req connectors.ReadRequest) [][]any {
		t.Helper()
		req.Table = ref
		sink := &collect{}
		if _, err := c.Read(ctx, req, sink); err != nil {
			t.Fatalf("read %+v: %v", req, err)
		}
		sortByID(sink.rows, 0)
		return sink.rows
	}
	rest, storage := open(settings{}), open(settings{storageMinRows: 1})
	want := read(rest, connectors.ReadRequest{OrderBy: []string{"id"}})
	for _, req := range []connectors.ReadRequest{{}, {OrderBy: []string{"id"}, ChunkRows: 2}} {
		got := read(storage, req)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Storage Read API read %+v:\n got %v\nwant %v", req, got, want)
		}
	}
	if len(want) != 3 {
		t.Fatalf("REST read %d rows, want 3", len(want))
	}
}

// runScript runs a GoogleSQL script as the test's service account.
func runScript(t *testing.T, values map[string]any, script string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := New(ctx, credsFor(t, values))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	job, err := c.client.Query(script).Run(ctx)
	if err != nil {
		t.Fatalf("fixture: %v\n%s", err, script)
	}
	status, err := job.Wait(ctx)
	if err == nil {
		err = status.Err()
	}
	if err != nil {
		t.Fatalf("fixture: %v\n%s", err, script)
	}
}
