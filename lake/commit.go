package lake

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/connectors"
)

// LoadMethod is how a commit's rows combine with the table's rows.
type LoadMethod string

// Load methods.
const (
	// LoadAppend adds the rows.
	LoadAppend LoadMethod = "append"
	// LoadOverwrite replaces the table's rows with the commit's, atomically.
	LoadOverwrite LoadMethod = "overwrite"
	// LoadMerge upserts on the primary keys: a committed row replaces every
	// row with the same key, and within the commit the last row of a key wins.
	LoadMerge LoadMethod = "merge"
)

// CommitRequest makes staged files visible in a table as one snapshot.
type CommitRequest struct {
	Schema, Table string
	// Columns are the source's current columns: new ones are added to the
	// table, widened ones altered; lake columns missing here stay (NULL for
	// the new rows).
	Columns     []connectors.Column
	Method      LoadMethod
	PrimaryKeys []string
	Files       []StagedFile
	// DeletedKeys, with LoadMerge, are files a TableWriter wrote with only
	// the primary key columns: the table's rows with those keys are deleted
	// in the same snapshot (a key also among Files keeps its new row only
	// if it comes later, so callers keep the two apart).
	DeletedKeys []StagedFile
	// DeletedKeysAfter, when set, has an entry per DeletedKeys file: the
	// number of leading Files it comes after, whose rows with its keys it
	// deletes too. A commit of several batches of changes, each batch's rows
	// and deleted keys apart, so keeps a row only if its key was not deleted
	// later.
	DeletedKeysAfter []int
	// IdempotencyKey, when set, makes a second commit with the same key
	// return the first one's result and change nothing.
	IdempotencyKey string
}

// CommitResult describes a commit.
type CommitResult struct {
	SnapshotID   int64 `json:"snapshot_id"`
	RowsWritten  int64 `json:"rows_written"`
	BytesWritten int64 `json:"bytes_written"`
	// Deduplicated is true when the idempotency key was already committed.
	Deduplicated bool `json:"deduplicated"`
}

// maxCommitAttempts bounds retries of commits that lost a race.
const maxCommitAttempts = 8

// Commit makes the request's files visible as one snapshot, in one Postgres
// transaction: the table and schema are created on first use, columns are
// added or widened, and the files are appended, replace the table, or are
// merged on the primary keys. Commits to one lake are serialized by an
// advisory lock and retried on serialization failures and id conflicts.
func (l *Lake) Commit(ctx context.Context, req CommitRequest) (CommitResult, error) {
	ctx, release := withLease(ctx, l.cache) // the staged files fetched for it
	defer release()
	req, err := l.checkRequest(ctx, req)
	if err != nil {
		return CommitResult{}, err
	}
	return l.commitRetrying(ctx, req.Schema+"."+req.Table, req.IdempotencyKey, func(ctx context.Context, ct *commitTx) (CommitResult, error) {
		return ct.apply(ctx, req)
	})
}

// commitRetrying runs one commit's changes (apply) in a transaction, as
// commitOnce does, again after a lost race; name says what is committed.
func (l *Lake) commitRetrying(ctx context.Context, name, key string, apply func(context.Context, *commitTx) (CommitResult, error)) (CommitResult, error) {
	for attempt := 1; ; attempt++ {
		res, err := l.commitOnce(ctx, key, apply)
		if err == nil || !retryable(err) || attempt == maxCommitAttempts {
			if err != nil {
				return res, l.hidePath(fmt.Errorf("commit %s: %w", name, err))
			}
			return res, nil
		}
		backoff := time.Duration(attempt*attempt)*20*time.Millisecond + time.Duration(rand.IntN(20))*time.Millisecond
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(backoff):
		}
	}
}

// retryable reports errors a new attempt can succeed after: serialization
// failures, deadlocks, and a snapshot id taken by a writer outside sluice.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01", "23505":
			return true
		}
	}
	return false
}

// checkRequest refuses a request that cannot commit and returns it with
// its staged files as checkStaged returns them.
func (l *Lake) checkRequest(ctx context.Context, req CommitRequest) (CommitRequest, error) {
	if req.Schema == "" || req.Table == "" {
		return req, errors.New("a commit needs a schema and a table")
	}
	switch req.Method {
	case LoadAppend, LoadOverwrite:
	case LoadMerge:
		if len(req.PrimaryKeys) == 0 {
			return req, fmt.Errorf("merge into %s.%s needs primary keys", req.Schema, req.Table)
		}
	default:
		return req, fmt.Errorf("unknown load method %q", req.Method)
	}
	if len(req.DeletedKeys) > 0 && req.Method != LoadMerge {
		return req, fmt.Errorf("deleting keys from %s.%s needs a merge", req.Schema, req.Table)
	}
	var err error
	if req.DeletedKeysAfter != nil && len(req.DeletedKeysAfter) != len(req.DeletedKeys) {
		return req, fmt.Errorf("commit %s.%s: %d deleted key files but %d positions after files", req.Schema, req.Table, len(req.DeletedKeys), len(req.DeletedKeysAfter))
	}
	if req.DeletedKeys, err = l.checkStaged(ctx, req.DeletedKeys); err != nil {
		return req, err
	}
	req.Files, err = l.checkStaged(ctx, req.Files)
	return req, err
}

// checkStaged refuses staged files outside the lake's data path or missing.
// On object storage a file counts as staged once it is in the bucket, as
// another process may have staged it: the copy returned has its path in
// this process's data directory, fetched there for the commit's reads.
func (l *Lake) checkStaged(ctx context.Context, files []StagedFile) ([]StagedFile, error) {
	if l.store != nil {
		return l.checkUploaded(ctx, files)
	}
	for _, f := range files {
		if !filepath.IsAbs(f.Path) || !strings.HasPrefix(filepath.Clean(f.Path), l.dataPath+string(os.PathSeparator)) {
			return nil, fmt.Errorf("staged file %s is outside the lake's data path", f.Path)
		}
		if _, err := os.Stat(f.Path); err != nil {
			return nil, fmt.Errorf("staged file: %w", err)
		}
	}
	return files, nil
}

// commitOnce makes apply's changes as one snapshot in one transaction under
// the lake's lock, recording key (when set) so a second commit with it
// returns this one's result and changes nothing.
func (l *Lake) commitOnce(ctx context.Context, key string, apply func(context.Context, *commitTx) (CommitResult, error)) (res CommitResult, err error) {
	ctx, release := withLease(ctx, l.cache)
	defer release()
	tx, err := l.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return res, fmt.Errorf("begin: %w", err)
	}
	ct := &commitTx{l: l, tx: tx, tablesChanged: map[int64]bool{}}
	defer func() {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		ct.closeDuck()
		if err != nil {
			l.removeStored(context.WithoutCancel(ctx), ct.created)
		}
	}()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.lockKey); err != nil {
		return res, fmt.Errorf("lock lake: %w", err)
	}
	if key != "" {
		done, found, err := l.committed(ctx, tx, key)
		if err != nil || found {
			return done, err
		}
	}
	if ct.prev, err = l.latestSnapshot(ctx, tx); err != nil {
		return res, err
	}
	ct.start()
	res, err = apply(ctx, ct)
	if err != nil {
		return res, err
	}
	if ct.changed() {
		if err := ct.finish(ctx); err != nil {
			return res, err
		}
		res.SnapshotID = ct.id
	} else {
		res.SnapshotID = ct.prev.ID
	}
	if key != "" {
		if _, err := tx.Exec(ctx, l.q(`INSERT INTO {S}.sluice_commits (key, snapshot_id, rows_written, bytes_written) VALUES ($1, $2, $3, $4)`),
			key, res.SnapshotID, res.RowsWritten, res.BytesWritten); err != nil {
			return res, fmt.Errorf("record idempotency key: %w", err)
		}
	}
	// Files this commit wrote (delete files, rewrites) are in storage before
	// the catalog references them.
	if err := l.uploadAll(ctx, ct.created); err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("commit transaction: %w", err)
	}
	l.removeStored(context.WithoutCancel(ctx), ct.obsolete)
	return res, nil
}

// committed returns the result recorded for an idempotency key.
func (l *Lake) committed(ctx context.Context, tx pgx.Tx, key string) (CommitResult, bool, error) {
	res := CommitResult{Deduplicated: true}
	err := tx.QueryRow(ctx, l.q(`SELECT snapshot_id, rows_written, bytes_written FROM {S}.sluice_commits WHERE key = $1`), key).
		Scan(&res.SnapshotID, &res.RowsWritten, &res.BytesWritten)
	if errors.Is(err, pgx.ErrNoRows) {
		return CommitResult{}, false, nil
	}
	if err != nil {
		return CommitResult{}, false, fmt.Errorf("look up idempotency key: %w", err)
	}
	return res, true, nil
}
