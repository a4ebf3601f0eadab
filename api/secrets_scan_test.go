package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// secretScan looks for plaintext secrets in text a test collected. Secrets
// are named, so a failure says which one leaked without printing it.
type secretScan struct {
	t       *testing.T
	secrets map[string]string
	scanned int
}

// check reports every secret found in text; where says what text is.
func (s *secretScan) check(where, text string) {
	s.t.Helper()
	s.scanned++
	for name, value := range s.secrets {
		if strings.Contains(text, value) {
			s.t.Errorf("plaintext %s found in %s", name, where)
		}
	}
}

// dumpDatabase returns every row of every table in every schema of
// sluice's database (the lake catalogs included) as text, bytea columns
// also as their raw bytes, keyed by schema.table. It fails the test if it
// finds no rows, since then the scan would prove nothing.
func dumpDatabase(t *testing.T, env *testenv.Env) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := env.Pool.Query(ctx, `
		SELECT c.table_schema, c.table_name, coalesce(string_agg(c.column_name, ',' ORDER BY c.ordinal_position) FILTER (WHERE c.data_type = 'bytea'), '')
		FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
		GROUP BY 1, 2 ORDER BY 1, 2`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	type table struct{ Schema, Name, Bytea string }
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[table])
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	dump := map[string]string{}
	total := 0
	for _, tb := range tables {
		ident := pgx.Identifier{tb.Schema, tb.Name}.Sanitize()
		var b strings.Builder
		texts, err := env.Pool.Query(ctx, "SELECT t::text FROM "+ident+" t")
		if err != nil {
			t.Fatalf("dump %s: %v", ident, err)
		}
		n := 0
		for texts.Next() {
			var line string
			if err := texts.Scan(&line); err != nil {
				t.Fatalf("dump %s: %v", ident, err)
			}
			b.WriteString(line + "\n")
			n++
		}
		if err := texts.Err(); err != nil {
			t.Fatalf("dump %s: %v", ident, err)
		}
		for col := range strings.SplitSeq(tb.Bytea, ",") {
			if col == "" {
				continue
			}
			raws, err := env.Pool.Query(ctx, "SELECT "+pgx.Identifier{col}.Sanitize()+" FROM "+ident+" WHERE "+pgx.Identifier{col}.Sanitize()+" IS NOT NULL")
			if err != nil {
				t.Fatalf("dump %s.%s: %v", ident, col, err)
			}
			blobs, err := pgx.CollectRows(raws, pgx.RowTo[[]byte])
			if err != nil {
				t.Fatalf("dump %s.%s: %v", ident, col, err)
			}
			for _, blob := range blobs {
				b.Write(blob)
				b.WriteByte('\n')
			}
		}
		total += n
		dump[tb.Schema+"."+tb.Name] = b.String()
	}
	if total == 0 {
		t.Fatal("sluice's database has no rows: the scan would prove nothing")
	}
	return dump
}

// workflowHistories returns the histories, as JSON with decoded payloads,
// of the workflows the visibility query lists, waiting until it lists at
// least want of them. Every history must show a decoded payload field
// named mustShow, or reading it proved nothing.
func workflowHistories(t *testing.T, env *testenv.Env, query string, want int, mustShow string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		var executions []string
		var runIDs []string
		var token []byte
		for {
			resp, err := env.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
			if err != nil {
				t.Fatalf("list workflows: %v", err)
			}
			for _, ex := range resp.Executions {
				executions = append(executions, ex.Execution.WorkflowId)
				runIDs = append(runIDs, ex.Execution.RunId)
			}
			if token = resp.NextPageToken; len(token) == 0 {
				break
			}
		}
		if len(executions) >= want {
			histories := map[string]string{}
			for i, id := range executions {
				h := workflowHistory(ctx, t, env, id, runIDs[i])
				if mustShow != "" && !strings.Contains(h, mustShow) {
					t.Fatalf("history of %s shows no decoded %s", id, mustShow)
				}
				histories[id+"/"+runIDs[i]] = h
			}
			return histories
		}
		select {
		case <-ctx.Done():
			t.Fatalf("visibility listed %d workflows for %q, want %d", len(executions), query, want)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// workflowHistory reads one run's whole history as JSON with decoded payloads.
func workflowHistory(ctx context.Context, t *testing.T, env *testenv.Env, workflowID, runID string) string {
	t.Helper()
	iter := env.Temporal.GetWorkflowHistory(ctx, workflowID, runID, false, 0)
	var b strings.Builder
	for iter.HasNext() {
		event, err := iter.Next()
		if err != nil {
			t.Fatalf("read history of %s: %v", workflowID, err)
		}
		b.WriteString(withDecodedPayloads(protojson.Format(event)))
	}
	return b.String()
}

// scheduleActions returns the described actions, with decoded payloads, of
// the Temporal schedules with the given ids: a schedule's action holds the
// workflow input it starts runs with.
func scheduleActions(t *testing.T, env *testenv.Env, ids ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, id := range ids {
		desc, err := env.Temporal.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
		if err != nil {
			t.Fatalf("describe schedule %s: %v", id, err)
		}
		raw, err := json.Marshal(desc.Schedule.Action)
		if err != nil {
			t.Fatalf("schedule %s: %v", id, err)
		}
		out[id] = withDecodedPayloads(string(raw)) + fmt.Sprintf("%+v", desc.Schedule.Action)
	}
	return out
}

var payloadData = regexp.MustCompile(`"data":\s*"([A-Za-z0-9+/=]+)"`)

// withDecodedPayloads appends the base64-decoded payloads to a JSON history
// event, since protojson shows payload bytes only as base64.
func withDecodedPayloads(event string) string {
	var b strings.Builder
	b.WriteString(event)
	for _, m := range payloadData.FindAllStringSubmatch(event, -1) {
		if raw, err := base64.StdEncoding.DecodeString(m[1]); err == nil {
			b.WriteByte('\n')
			b.Write(raw)
		}
	}
	return b.String()
}
