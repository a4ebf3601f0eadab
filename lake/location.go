package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Location is where a process keeps every team's lake: the files under
// Dir/<team id>, or, with Store, in a bucket under <team id>/ with
// Dir/<team id> as each lake's working directory and cache. A nil Location
// is the default, SLUICE_DATA_DIR/lake.
type Location struct {
	Dir   string
	Store Storage
	Cache *Cache
}

// LocationOptions are what NewLocation needs besides the URL.
type LocationOptions struct {
	// DataDir is the process's data directory; its lake/ holds the files,
	// or the working copies of a bucket's.
	DataDir string
	S3      S3Options
	// CacheBytes bounds the working copies of a bucket's files.
	CacheBytes int64
}

// NewLocation reads SLUICE_LAKE_URL: empty is the default (nil), a local
// path keeps the files there, s3://bucket/prefix in that bucket, which it
// checks it can list.
func NewLocation(ctx context.Context, lakeURL string, opts LocationOptions) (*Location, error) {
	switch {
	case lakeURL == "":
		return nil, nil
	case strings.HasPrefix(lakeURL, "s3://"):
		store, err := OpenS3(ctx, lakeURL, opts.S3)
		if err != nil {
			return nil, err
		}
		return &Location{Dir: filepath.Join(opts.DataDir, "lake"), Store: store, Cache: NewCache(opts.CacheBytes)}, nil
	case strings.Contains(lakeURL, "://"):
		return nil, fmt.Errorf("lake storage %q: want a local directory or s3://bucket/prefix", lakeURL)
	}
	dir, err := filepath.Abs(lakeURL)
	if err != nil {
		return nil, fmt.Errorf("lake directory %s: %w", lakeURL, err)
	}
	return &Location{Dir: dir}, nil
}

// OpenTeam opens a team's lake at the location; a nil one opens it under
// dataDir/lake as OpenTeam does.
func (loc *Location) OpenTeam(ctx context.Context, pool *pgxpool.Pool, dataDir string, teamID uuid.UUID) (*Lake, error) {
	if loc == nil {
		return OpenTeam(ctx, pool, dataDir, teamID)
	}
	var opts []Option
	if loc.Store != nil {
		opts = append(opts, WithStorage(loc.Store.Sub(teamID.String()), loc.Cache))
	}
	l, err := Open(ctx, pool, CatalogSchemaFor(teamID), filepath.Join(loc.Dir, teamID.String()), opts...)
	if err != nil {
		return nil, fmt.Errorf("open lake of team %s: %w", teamID, err)
	}
	return l, nil
}

// HasStaged reports whether a file staged for a team's lake is still there
// to commit: in the bucket by its key (another machine may have staged it),
// else on this machine's disk.
func (loc *Location) HasStaged(ctx context.Context, teamID uuid.UUID, f StagedFile) bool {
	if loc == nil || loc.Store == nil || f.Key == "" {
		_, err := os.Stat(f.Path)
		return err == nil
	}
	_, found, err := loc.Store.Sub(teamID.String()).Head(ctx, f.Key)
	return err == nil && found
}

// String says where the files are, for logs: no credentials are in it.
func (loc *Location) String() string {
	switch {
	case loc == nil:
		return "the data directory"
	case loc.Store != nil:
		return loc.Store.URL()
	}
	return loc.Dir
}
