package lake

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv/s3server"
)

// s3Fixture is a lake on a versitygw bucket: one catalog, and any number of
// processes' views of it (Lake values with their own data directories).
type s3Fixture struct {
	*fixture
	srv   *s3server.Server
	store Storage
}

func newS3Fixture(t testing.TB) *s3Fixture {
	t.Helper()
	srv := s3server.Start(t)
	srv.Setenv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	root, err := OpenS3(ctx, srv.URL("lakes"), S3Options{Endpoint: srv.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatalf("open bucket: %v", err)
	}
	f := &s3Fixture{fixture: &fixture{t: t, ctx: ctx, pool: dbtest.NewPool(t)}, srv: srv, store: root.Sub("team")}
	f.lake = f.process(NewCache(0))
	return f
}

// process opens the lake as another process would: its own data directory.
func (f *s3Fixture) process(cache *Cache) *Lake {
	f.t.Helper()
	l, err := Open(f.ctx, f.pool, "lake_test", f.t.TempDir(), WithStorage(f.store, cache))
	if err != nil {
		f.t.Fatalf("open lake: %v", err)
	}
	return l
}

// objects lists the bucket's objects of the lake.
func (f *s3Fixture) objects() map[string]bool {
	f.t.Helper()
	list, err := f.store.List(f.ctx, "")
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, o := range list {
		out[o.Key] = true
	}
	return out
}

func (f *s3Fixture) checksumOn(l *Lake, table string, opts QueryOptions) (int64, string) {
	f.t.Helper()
	res, err := l.Query(f.ctx, `SELECT count(*), md5(coalesce(string_agg(name || ':' || amount::VARCHAR, ',' ORDER BY id), '')) FROM `+table, opts)
	if err != nil {
		f.t.Fatalf("query %s: %v", table, err)
	}
	return res.Rows[0][0].(int64), res.Rows[0][1].(string)
}

func TestLakeOnS3(t *testing.T) {
	f := newS3Fixture(t)
	var dataPath string
	if err := f.pool.QueryRow(f.ctx, `SELECT value FROM lake_test.ducklake_metadata WHERE key = 'data_path'`).Scan(&dataPath); err != nil {
		t.Fatal(err)
	}
	if dataPath != "s3://lake/lakes/team/" {
		t.Fatalf("data_path %q, want the bucket's URL", dataPath)
	}
	// A process that forgot the bucket would point data_path at its own
	// directory, where the files are not: it is refused.
	if _, err := Open(f.ctx, f.pool, "lake_test", t.TempDir()); !errors.Is(err, ErrLakeElsewhere) {
		t.Fatalf("opened without the bucket: %v", err)
	}

	// Writes: an append, a merge with updates (delete files), delete
	// detection, compaction.
	first := f.load("s", "people", people, peopleRows(0, 1000, "v1"), LoadAppend)
	f.load("s", "people", people, append(peopleRows(0, 100, "v2"), peopleRows(1000, 1100, "v2")...), LoadMerge, "id")
	keys := f.stage("s", "people", people[:1], func() [][]any {
		var rows [][]any
		for i := 50; i < 1100; i++ {
			rows = append(rows, []any{int64(i)})
		}
		return rows
	}())
	if _, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "people", PrimaryKeys: []string{"id"}, Mode: DeleteHard, SourceKeys: keys}); err != nil {
		t.Fatalf("delete missing: %v", err)
	}
	if _, err := f.lake.CompactTable(f.ctx, "s", "people", CompactOptions{}); err != nil {
		t.Fatalf("compact: %v", err)
	}
	want := append(peopleRows(50, 100, "v2"), append(peopleRows(100, 1000, "v1"), peopleRows(1000, 1100, "v2")...)...)
	wantN, wantSum := expectedChecksum(want)
	if n, sum := f.checksumOn(f.lake, "s.people", QueryOptions{}); n != wantN || sum != wantSum {
		t.Fatalf("lake has %d rows (%s), want %d (%s)", n, sum, wantN, wantSum)
	}

	// Every file a snapshot references is in the bucket.
	referenced, err := f.lake.referencedFiles(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	objects := f.objects()
	for p := range referenced {
		key, err := f.lake.keyOf(p)
		if err != nil || !objects[key] {
			t.Fatalf("referenced file %s is not in the bucket (%v)", p, err)
		}
	}

	// Another process, its cache cold, reads everything from the bucket,
	// now and at the first snapshot.
	cold := f.process(NewCache(0))
	if n, sum := f.checksumOn(cold, "s.people", QueryOptions{}); n != wantN || sum != wantSum {
		t.Fatalf("a cold cache read %d rows (%s), want %d (%s)", n, sum, wantN, wantSum)
	}
	v1N, v1Sum := expectedChecksum(peopleRows(0, 1000, "v1"))
	if n, sum := f.checksumOn(f.process(NewCache(0)), "s.people", QueryOptions{Snapshot: &first.SnapshotID}); n != v1N || sum != v1Sum {
		t.Fatalf("time travel on a cold cache read %d rows (%s), want %d (%s)", n, sum, v1N, v1Sum)
	}

	// A file staged by one process is committed by another (as after a
	// worker restart elsewhere), by its key in the bucket.
	staged := f.stage("s", "people", people, peopleRows(2000, 2010, "v3"))
	blob, _ := json.Marshal(staged)
	var moved []StagedFile
	_ = json.Unmarshal(blob, &moved)
	if _, err := cold.Commit(f.ctx, CommitRequest{Schema: "s", Table: "people", Columns: people, Method: LoadMerge, PrimaryKeys: []string{"id"}, Files: moved}); err != nil {
		t.Fatalf("commit another process's staged file: %v", err)
	}
	if n := f.one(`SELECT count(*) FROM s.people WHERE id >= 2000`); n != int64(10) {
		t.Fatalf("%v rows of the other process's commit, want 10", n)
	}
	if _, err := cold.Commit(f.ctx, CommitRequest{Schema: "s", Table: "people", Columns: people, Method: LoadAppend,
		Files: []StagedFile{{Path: "/elsewhere/x.parquet", Key: "s/people/missing.parquet"}}}); err == nil || !strings.Contains(err.Error(), "not in the lake's storage") {
		t.Fatalf("a staged file missing from the bucket committed: %v", err)
	}
}

func TestS3OrphanCleanupRemovesUncommittedUploads(t *testing.T) {
	f := newS3Fixture(t)
	f.load("s", "people", people, peopleRows(0, 10, "v1"), LoadAppend)
	crashed := f.stage("s", "people", people, peopleRows(10, 20, "never committed")) // uploaded, then the writer died
	if !f.objects()[crashed[0].Key] {
		t.Fatal("a finished staged file is not in the bucket")
	}
	if n, err := f.lake.RemoveOrphanFiles(f.ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("removed %d (%v) within the grace period", n, err)
	}
	n, err := f.lake.RemoveOrphanFiles(f.ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("removed %d (%v), want the uncommitted upload", n, err)
	}
	if f.objects()[crashed[0].Key] {
		t.Fatal("the uncommitted object is still in the bucket")
	}
	wantN, wantSum := expectedChecksum(peopleRows(0, 10, "v1"))
	if n, sum := f.checksumOn(f.process(NewCache(0)), "s.people", QueryOptions{}); n != wantN || sum != wantSum {
		t.Fatalf("a cold cache read %d rows (%s) after cleanup, want %d (%s)", n, sum, wantN, wantSum)
	}
}

func TestS3CacheEvictsLeastRecentlyUsed(t *testing.T) {
	f := newS3Fixture(t)
	f.load("s", "a", people, peopleRows(0, 5000, "a"), LoadAppend)
	f.load("s", "b", people, peopleRows(0, 5000, "b"), LoadAppend)
	cache := NewCache(0)
	cache.Hold = 0
	l := f.process(cache)
	aN, aSum := expectedChecksum(peopleRows(0, 5000, "a"))
	if n, sum := f.checksumOn(l, "s.a", QueryOptions{}); n != aN || sum != aSum {
		t.Fatalf("read %d (%s) of a", n, sum)
	}
	aFiles := localParquet(l.DataPath())
	if len(aFiles) == 0 {
		t.Fatal("no files were fetched")
	}
	cache.MaxBytes = cache.Size() + cache.Size()/2 // room for one table's files, not two
	bN, bSum := expectedChecksum(peopleRows(0, 5000, "b"))
	if n, sum := f.checksumOn(l, "s.b", QueryOptions{}); n != bN || sum != bSum {
		t.Fatalf("read %d (%s) of b", n, sum)
	}
	if cache.Size() > cache.MaxBytes {
		t.Fatalf("cache holds %d bytes, bound %d", cache.Size(), cache.MaxBytes)
	}
	for _, p := range aFiles {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s, least recently used, was kept", p)
		}
	}
	if n, sum := f.checksumOn(l, "s.a", QueryOptions{}); n != aN || sum != aSum {
		t.Fatalf("read %d (%s) of a after its eviction", n, sum)
	}

	// A read's lease (a query's, a commit's) keeps its files past the bound
	// until it ends, whatever Hold says.
	leased, release := withLease(f.ctx, cache)
	if _, err := l.Query(leased, "SELECT count(*) FROM s.a", QueryOptions{}); err != nil {
		t.Fatal(err)
	}
	f.checksumOn(l, "s.b", QueryOptions{})
	for _, p := range aFiles {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s, held by a lease, was evicted: %v", p, err)
		}
	}
	release()
	if cache.Size() > cache.MaxBytes {
		t.Fatalf("cache holds %d bytes after the lease, bound %d", cache.Size(), cache.MaxBytes)
	}

	// A process started later counts the copies an earlier one left.
	later := NewCache(1)
	later.Hold = 0
	if _, err := Open(f.ctx, f.pool, "lake_test", l.DataPath(), WithStorage(f.store, later)); err != nil {
		t.Fatal(err)
	}
	if left := localParquet(l.DataPath()); len(left) > 0 || later.Size() != 0 {
		t.Fatalf("a cache bound to 1 byte kept %d bytes of an earlier process: %v", later.Size(), left)
	}
}

// localParquet lists the Parquet files under a data directory.
func localParquet(dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func TestS3ExpiredFilesLeaveTheBucket(t *testing.T) {
	f := newS3Fixture(t)
	f.load("s", "people", people, peopleRows(0, 10, "v1"), LoadAppend)
	before := f.objects()
	f.load("s", "people", people, peopleRows(0, 20, "v2"), LoadOverwrite) // ends the first file
	if _, err := f.lake.ExpireSnapshots(f.ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	n, err := f.lake.RemoveExpiredFiles(f.ctx, 0)
	if err != nil || n != len(before) {
		t.Fatalf("removed %d (%v), want the %d files of the expired snapshot", n, err, len(before))
	}
	after := f.objects()
	for key := range before {
		if after[key] {
			t.Fatalf("%s, expired, is still in the bucket", key)
		}
	}
	wantN, wantSum := expectedChecksum(peopleRows(0, 20, "v2"))
	if n, sum := f.checksumOn(f.process(NewCache(0)), "s.people", QueryOptions{}); n != wantN || sum != wantSum {
		t.Fatalf("read %d rows (%s) after expiry, want %d (%s)", n, sum, wantN, wantSum)
	}
}
