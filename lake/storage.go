package lake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Storage is where a lake's files live, addressed by keys relative to the
// lake's root ("<schema>/<table>/ducklake-….parquet"). A lake whose files
// live only in its data directory has none; one on object storage keeps its
// data directory as a working directory and read-through cache (see Cache).
type Storage interface {
	// URL is the lake's root as DuckDB readers address it, ending in "/":
	// what the catalog records as data_path.
	URL() string
	// Put stores a finished local file under key, atomically: readers see
	// the whole file or none.
	Put(ctx context.Context, key, localFile string) error
	// Fetch writes the object under key to dst, which it creates.
	Fetch(ctx context.Context, key, dst string) error
	// Delete removes the object under key; a missing one is no error.
	Delete(ctx context.Context, key string) error
	// List returns every object whose key starts with prefix.
	List(ctx context.Context, prefix string) ([]ObjectInfo, error)
	// Head describes the object under key, or reports it missing.
	Head(ctx context.Context, key string) (ObjectInfo, bool, error)
	// Sub is the storage rooted at dir, a key prefix of this one.
	Sub(dir string) Storage
}

// ObjectInfo describes a stored file.
type ObjectInfo struct {
	Key      string
	Size     int64
	Modified time.Time
}

// DirStorage is Storage over a local directory: the lake's data directory
// itself, or a directory several processes on one machine share.
type DirStorage struct{ root string }

var _ Storage = DirStorage{}

// NewDirStorage returns the storage rooted at dir.
func NewDirStorage(dir string) (DirStorage, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return DirStorage{}, fmt.Errorf("resolve lake directory %s: %w", dir, err)
	}
	return DirStorage{root: filepath.Clean(abs)}, nil
}

// URL returns the directory, ending in "/".
func (s DirStorage) URL() string { return s.root + "/" }

// Sub returns the storage rooted at a subdirectory.
func (s DirStorage) Sub(dir string) Storage { return DirStorage{root: filepath.Join(s.root, dir)} }

func (s DirStorage) path(key string) string { return filepath.Join(s.root, filepath.FromSlash(key)) }

// Put copies the file in under a temporary name and renames it, unless it
// is already the file under key.
func (s DirStorage) Put(_ context.Context, key, localFile string) error {
	dst := s.path(key)
	if filepath.Clean(localFile) == dst {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return copyFileAtomically(localFile, dst)
}

// Fetch copies the file under key to dst.
func (s DirStorage) Fetch(_ context.Context, key, dst string) error {
	return copyFileAtomically(s.path(key), dst)
}

// Delete removes the file under key.
func (s DirStorage) Delete(_ context.Context, key string) error {
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Head stats the file under key.
func (s DirStorage) Head(_ context.Context, key string) (ObjectInfo, bool, error) {
	info, err := os.Stat(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return ObjectInfo{}, false, nil
	}
	if err != nil {
		return ObjectInfo{}, false, fmt.Errorf("stat %s: %w", key, err)
	}
	return ObjectInfo{Key: key, Size: info.Size(), Modified: info.ModTime()}, true, nil
}

// List walks the directory for files whose keys start with prefix.
func (s DirStorage) List(ctx context.Context, prefix string) ([]ObjectInfo, error) {
	var out []ObjectInfo
	err := filepath.WalkDir(s.root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(s.root, p)
		key := filepath.ToSlash(rel)
		if e.IsDir() || !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return nil //nolint:nilerr // a file gone meanwhile is not listed
		}
		out = append(out, ObjectInfo{Key: key, Size: info.Size(), Modified: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", s.root, err)
	}
	return out, nil
}

// copyFileAtomically copies src to dst through a temporary file beside dst,
// so dst is never seen half-written.
func copyFileAtomically(src, dst string) error {
	in, err := os.Open(src) //nolint:gosec // a path inside the lake
	if err != nil {
		return fmt.Errorf("copy %s: %w", filepath.Base(src), err)
	}
	defer in.Close()
	return writeAtomically(dst, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
}

// writeAtomically writes dst through a temporary file in its directory and
// renames it into place once write succeeded.
func writeAtomically(dst string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(dst), err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".part-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(dst), err)
	}
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", filepath.Base(dst), err)
	}
	return nil
}

// keyJoin joins key segments with "/", whatever the platform.
func keyJoin(parts ...string) string { return strings.Trim(path.Join(parts...), "/") }
