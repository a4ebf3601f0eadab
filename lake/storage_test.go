package lake

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv/s3server"
)

// TestStorages runs the same checks on both Storage implementations: put
// (a file larger than a multipart part, on S3), head, list, fetch, delete.
func TestStorages(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := NewDirStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("dir", func(t *testing.T) { checkStorage(ctx, t, dir.Sub("team")) })
	t.Run("s3", func(t *testing.T) {
		srv := s3server.Start(t)
		srv.Setenv(t)
		root, err := OpenS3(ctx, srv.URL("lakes/"), S3Options{Endpoint: srv.Endpoint, PathStyle: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := root.Sub("team").URL(); got != "s3://lake/lakes/team/" {
			t.Fatalf("URL %q", got)
		}
		checkStorage(ctx, t, root.Sub("team"))
		if _, err := OpenS3(ctx, srv.URL("x"), S3Options{Endpoint: "http://127.0.0.1:1", PathStyle: true}); err == nil {
			t.Fatal("an unreachable endpoint opened")
		}
	})
}

func checkStorage(ctx context.Context, t *testing.T, s Storage) {
	data := make([]byte, uploadPartSize+uploadPartSize/4) // two parts on S3
	_, _ = rand.Read(data)
	src := filepath.Join(t.TempDir(), "f.parquet")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "s/t/f.parquet", src); err != nil {
		t.Fatalf("put: %v", err)
	}
	if info, found, err := s.Head(ctx, "s/t/f.parquet"); err != nil || !found || info.Size != int64(len(data)) {
		t.Fatalf("head: %+v %v %v", info, found, err)
	}
	if _, found, err := s.Head(ctx, "s/t/missing.parquet"); err != nil || found {
		t.Fatalf("head of a missing key: %v %v", found, err)
	}
	list, err := s.List(ctx, "s/")
	if err != nil || len(list) != 1 || list[0].Key != "s/t/f.parquet" {
		t.Fatalf("list: %+v %v", list, err)
	}
	dst := filepath.Join(t.TempDir(), "copy.parquet")
	if err := s.Fetch(ctx, "s/t/f.parquet", dst); err != nil {
		t.Fatalf("fetch: %v", err)
	}
	if got, _ := os.ReadFile(dst); !bytes.Equal(got, data) { //nolint:gosec // the test's file
		t.Fatal("fetched bytes differ")
	}
	if err := s.Delete(ctx, "s/t/f.parquet"); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := s.Delete(ctx, "s/t/f.parquet"); err != nil {
		t.Fatalf("delete of a missing key: %v", err)
	}
	if list, err := s.List(ctx, ""); err != nil || len(list) != 0 {
		t.Fatalf("list after delete: %+v %v", list, err)
	}
}

func TestParseS3URL(t *testing.T) {
	for in, want := range map[string][2]string{
		"s3://b":       {"b", ""},
		"s3://b/":      {"b", ""},
		"s3://b/p/q":   {"b", "p/q/"},
		"s3://b/p/q/":  {"b", "p/q/"},
		"s3:///p":      {},
		"http://b/p":   {},
		"s3://b/p?x=1": {},
		"s3://key@b/p": {},
	} {
		bucket, prefix, err := ParseS3URL(in)
		if want == ([2]string{}) {
			if err == nil {
				t.Errorf("%s parsed as %s %s", in, bucket, prefix)
			}
			continue
		}
		if err != nil || bucket != want[0] || prefix != want[1] {
			t.Errorf("%s: %q %q %v, want %q", in, bucket, prefix, err, want)
		}
	}
}
