package lake

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv/s3server"
)

func TestNewLocation(t *testing.T) {
	ctx := context.Background()
	if loc, err := NewLocation(ctx, "", LocationOptions{DataDir: "/data"}); err != nil || loc != nil {
		t.Fatalf("empty URL: %v %v, want the data directory (nil)", loc, err)
	}
	dir := t.TempDir()
	if loc, err := NewLocation(ctx, dir, LocationOptions{}); err != nil || loc.Dir != dir || loc.Store != nil {
		t.Fatalf("a directory: %+v %v", loc, err)
	}
	for _, bad := range []string{"gs://bucket/lake", "s3://", "s3:///x"} {
		if _, err := NewLocation(ctx, bad, LocationOptions{}); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

// TestLocationHasStaged: a copy retried on another worker resumes from the
// files the first one staged when they are in the bucket, wherever their
// local path was.
func TestLocationHasStaged(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := s3server.Start(t)
	srv.Setenv(t)
	loc, err := NewLocation(ctx, srv.URL("lakes"), LocationOptions{DataDir: t.TempDir(), S3: S3Options{Endpoint: srv.Endpoint, PathStyle: true}})
	if err != nil {
		t.Fatal(err)
	}
	team := uuid.New()
	pool := dbtest.NewPool(t)
	l, err := loc.OpenTeam(ctx, pool, "", team)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.StorageURL(); got != "s3://lake/lakes/"+team.String()+"/" {
		t.Fatalf("storage URL %s", got)
	}
	f := &fixture{t: t, ctx: ctx, pool: pool, lake: l}
	staged := f.stage("s", "t", people, peopleRows(0, 10, "x"))
	elsewhere := staged[0]
	elsewhere.Path = "/another/machine/ducklake-x.parquet"
	if !loc.HasStaged(ctx, team, staged[0]) || !loc.HasStaged(ctx, team, elsewhere) {
		t.Fatal("a staged file in the bucket is not found")
	}
	l.RemoveStaged(ctx, staged)
	if loc.HasStaged(ctx, team, elsewhere) {
		t.Fatal("a removed staged file is still found")
	}
	var local *Location
	if local.HasStaged(ctx, team, staged[0]) {
		t.Fatal("a removed local file is found")
	}
}
