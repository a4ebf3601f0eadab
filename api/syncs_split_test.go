package api_test

import (
	"context"
	"fmt"
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSyncSplitTableFromMariaDB: a MariaDB table above split_rows is
// merged in key ranges (several CopyTableRange activities in the run's
// history) and the lake has exactly the source's rows: count, distinct
// keys and sums of keys and values.
func TestSyncSplitTableFromMariaDB(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	name := "split_" + randomHex(t)
	mariaRun(t, "CREATE DATABASE "+name)
	admin := mariaAdmin(t)
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	mariaRun(t, fmt.Sprintf("CREATE TABLE %s.big (id bigint PRIMARY KEY, v varchar(20) NOT NULL)", name),
		fmt.Sprintf("INSERT INTO %[1]s.big SELECT seq, CONCAT('v', seq) FROM %[1]s.seq_1_to_30000 WHERE seq %% 7 <> 0", name),
		fmt.Sprintf("ANALYZE TABLE %s.big", name))
	f := syncFixture{env: env, token: token, id: createMaria(t, env, token, name), schema: name}
	if res := f.configure(t, map[string]any{"dest_schema": "MARIA_SPLIT", "schedule": "daily", "tables": []any{name + ".big"},
		"split_rows": 4000, "table_parallelism": 3}); res.Status != 200 {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "succeeded" || run["rows_read"] != float64(25715) {
		t.Fatalf("run = %v", run)
	}
	const summary = "SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids, sum(id) AS ids, sum(length(v) * (id %% 1000)) AS vs FROM %s"
	assertSameRow(t, f.sourceRow(t, fmt.Sprintf(summary, name+".big")), f.lakeRow(t, fmt.Sprintf(summary, "MARIA_SPLIT.big WHERE _sluice_deleted_at IS NULL")))
	ranges := 0
	iter := env.Temporal.GetWorkflowHistory(context.Background(), run["workflow_id"].(string), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.EventType == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "CopyTableRange" {
			ranges++
		}
	}
	if ranges < 2 {
		t.Fatalf("the table was copied in %d ranges, want it split (MariaDB estimates about 25,715 rows, split_rows 4000)", ranges)
	}
}

// mariaRun runs statements as the local MariaDB server's administrator.
func mariaRun(t testing.TB, statements ...string) {
	t.Helper()
	admin := mariaAdmin(t)
	for _, sql := range statements {
		if _, err := admin.ExecContext(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}
