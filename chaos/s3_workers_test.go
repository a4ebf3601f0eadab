package chaos

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/internal/testenv/s3server"
)

// TestWorkersWithoutSharedDiskOnS3 runs the API and two workers, each with
// its own data directory, against one bucket (versitygw) and one Temporal:
// three merge runs of a three-table sync (the later ones after the source
// changed) and a replay of the last one must each succeed with the lake,
// read through the API, equal to the source, whichever worker copied which
// table.
func TestWorkersWithoutSharedDiskOnS3(t *testing.T) {
	needChaos(t)
	srv := s3server.Start(t)
	env := append([]string{"SLUICE_LAKE_URL=" + srv.URL("lakes")}, workerTuning...)
	for k, v := range srv.Env() {
		env = append(env, k+"="+v)
	}
	src := newSource(t, fixtureTables, false)
	s := newStack(t, stackOptions{Env: env})
	// The stack's worker shares the API's data directory; two workers with
	// their own take its place.
	s.worker.stop(30 * time.Second)
	dirs := []string{t.TempDir(), t.TempDir()}
	for i, dir := range dirs {
		w := startProc(t, fmt.Sprintf("worker-%d", i+1), append(s.env(), "SLUICE_DATA_DIR="+dir), sluiceBin, "worker")
		s.workerLogs = append(s.workerLogs, w.logPath)
	}
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "s3_workers"
	// orders (the first table, a bigint key) is copied as about four key
	// ranges, so ranges staged on one worker are committed by another.
	splitRows := src.Tables[0].Rows / 4
	s.configureSync(id, map[string]any{"dest_schema": dest, "load_method": "merge", "split_rows": splitRows}, src.names())
	var runID string
	for r := 1; r <= 4; r++ {
		if r > 1 {
			src.change(t, r)
		}
		if r < 4 {
			runID = s.startRun(id)
		} else { // the last run again, as a replay of all its tables
			replay := s.mustCall(http.StatusAccepted, http.MethodPost, "/v1/api/syncs/"+runID+"/replay", map[string]any{"tables": "all"})
			runID = replay["data"].(map[string]any)["id"].(string)
		}
		run := s.waitRun(runID, 5*time.Minute)
		if run["status"] != "succeeded" {
			t.Fatalf("run %d: %v", r, run)
		}
		if got := s.compare(t, src, dest); len(got.Mismatches) > 0 || got.Lost > 0 || got.Duplicated > 0 {
			t.Fatalf("run %d: the lake differs from the source: %+v", r, got)
		}
		if n := rangesOf(run, src.Tables[0].Name); n < 2 {
			t.Fatalf("run %d: %s was copied in %d key ranges, want several (split_rows %d)", r, src.Tables[0].Name, n, splitRows)
		}
	}
	objects := bucketObjects(t, srv)
	if objects == 0 {
		t.Fatal("no object in the bucket: the lake was not written there")
	}
	t.Logf("%d objects in the bucket; Parquet files in the workers' directories: %d and %d", objects, parquetIn(dirs[0]), parquetIn(dirs[1]))
}

// rangesOf counts the key ranges a run copied a table in (0 when whole).
func rangesOf(run map[string]any, table string) int {
	tables, _ := run["tables"].([]any)
	for _, raw := range tables {
		t, _ := raw.(map[string]any)
		if name, _ := t["name"].(string); strings.HasSuffix(name, "."+table) {
			ranges, _ := t["range_rows"].(map[string]any) // range index -> rows read
			return len(ranges)
		}
	}
	return 0
}

func bucketObjects(t *testing.T, srv *s3server.Server) int { return len(objectsUnder(t, srv, "")) }

// objectsUnder lists the bucket's objects whose keys start with prefix, with
// when each was written.
func objectsUnder(t *testing.T, srv *s3server.Server, prefix string) map[string]time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := map[string]time.Time{}
	pages := s3.NewListObjectsV2Paginator(srv.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("list the bucket: %v", err)
		}
		for _, o := range page.Contents {
			out[aws.ToString(o.Key)] = aws.ToTime(o.LastModified)
		}
	}
	return out
}

func parquetIn(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".parquet") {
			n++
		}
		return nil
	})
	return n
}
