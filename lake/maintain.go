package lake

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
)

// OpenTeam opens a team's lake: its catalog schema (CatalogSchemaFor) and
// its files under dataDir/lake/<team id>, the layout every sluice process
// shares.
func OpenTeam(ctx context.Context, pool *pgxpool.Pool, dataDir string, teamID uuid.UUID) (*Lake, error) {
	l, err := Open(ctx, pool, CatalogSchemaFor(teamID), filepath.Join(dataDir, "lake", teamID.String()))
	if err != nil {
		return nil, fmt.Errorf("open lake of team %s: %w", teamID, err)
	}
	return l, nil
}

// ExpireResult says what ExpireSnapshots did.
type ExpireResult struct {
	// Expired counts the snapshots removed.
	Expired int `json:"expired"`
	// OldestKept is the oldest snapshot that time travel can still read.
	OldestKept int64 `json:"oldest_kept"`
	// FilesScheduled counts the data and delete files no kept snapshot reads,
	// now in ducklake_files_scheduled_for_deletion.
	FilesScheduled int `json:"files_scheduled"`
}

// ExpireSnapshots removes the snapshots taken before cutoff, always keeping
// the latest, and the catalog rows (files, columns, tables, schemas) that no
// kept snapshot can see. The files those rows named are scheduled for
// deletion (RemoveExpiredFiles deletes them), so time travel to a kept
// snapshot reads what it read before and one to an expired snapshot is a
// QueryError of kind gone. Snapshot times ascend with their ids, so the kept
// snapshots are exactly those from the oldest kept id on. It runs under the
// lake's commit lock in one transaction.
func (l *Lake) ExpireSnapshots(ctx context.Context, cutoff time.Time) (ExpireResult, error) {
	var res ExpireResult
	tx, err := l.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return res, fmt.Errorf("expire snapshots: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, l.lockKey); err != nil {
		return res, fmt.Errorf("expire snapshots: lock lake: %w", err)
	}
	latest, err := l.latestSnapshot(ctx, tx)
	if err != nil {
		return res, err
	}
	err = tx.QueryRow(ctx, l.q(`SELECT COALESCE(min(snapshot_id), $2) FROM {S}.ducklake_snapshot WHERE snapshot_time >= $1`), cutoff, latest.ID).
		Scan(&res.OldestKept)
	if err != nil {
		return res, fmt.Errorf("expire snapshots: find the oldest kept: %w", err)
	}
	keep := res.OldestKept
	tag, err := tx.Exec(ctx, l.q(`DELETE FROM {S}.ducklake_snapshot WHERE snapshot_id < $1`), keep)
	if err != nil {
		return res, fmt.Errorf("expire snapshots: %w", err)
	}
	if res.Expired = int(tag.RowsAffected()); res.Expired == 0 {
		return res, nil
	}
	if res.FilesScheduled, err = l.scheduleDeadFiles(ctx, tx, keep); err != nil {
		return res, err
	}
	// A row that ended at or before the oldest kept snapshot is seen by none.
	for _, stmt := range []string{
		`DELETE FROM {S}.ducklake_snapshot_changes WHERE snapshot_id < $1`,
		`DELETE FROM {S}.ducklake_file_column_stats s USING {S}.ducklake_data_file d
			WHERE s.data_file_id = d.data_file_id AND d.end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_delete_file WHERE end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_data_file WHERE end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_column WHERE end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_table WHERE end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_schema WHERE end_snapshot <= $1`,
		`DELETE FROM {S}.ducklake_table_stats WHERE table_id NOT IN (SELECT table_id FROM {S}.ducklake_table)`,
		`DELETE FROM {S}.ducklake_table_column_stats WHERE table_id NOT IN (SELECT table_id FROM {S}.ducklake_table)`,
	} {
		args := []any{keep}
		if !strings.Contains(stmt, "$1") {
			args = nil
		}
		if _, err := tx.Exec(ctx, l.q(stmt), args...); err != nil {
			return res, fmt.Errorf("expire snapshots: %s: %w", firstTable(stmt), err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("expire snapshots: commit: %w", err)
	}
	return res, nil
}

// scheduleDeadFiles lists in ducklake_files_scheduled_for_deletion the data
// and delete files that ended at or before snapshot keep, with paths
// relative to the data path as removeScheduled reads them.
func (l *Lake) scheduleDeadFiles(ctx context.Context, tx pgx.Tx, keep int64) (int, error) {
	rows, err := tx.Query(ctx, l.q(`
		WITH tables AS (SELECT DISTINCT ON (t.table_id) t.table_id, t.path AS tpath, COALESCE(t.path_is_relative, true) AS trel,
				s.path AS spath, COALESCE(s.path_is_relative, true) AS srel
			FROM {S}.ducklake_table t JOIN {S}.ducklake_schema s USING (schema_id) ORDER BY t.table_id, t.begin_snapshot DESC),
		files AS (SELECT data_file_id AS id, table_id, path, COALESCE(path_is_relative, true) AS rel FROM {S}.ducklake_data_file WHERE end_snapshot <= $1
			UNION ALL SELECT delete_file_id, table_id, path, COALESCE(path_is_relative, true) FROM {S}.ducklake_delete_file WHERE end_snapshot <= $1)
		SELECT f.id, f.path, f.rel, t.tpath, t.trel, t.spath, t.srel FROM files f JOIN tables t USING (table_id)`), keep)
	if err != nil {
		return 0, fmt.Errorf("list expired files: %w", err)
	}
	batch := &pgx.Batch{}
	for rows.Next() {
		var id int64
		var path string
		var rel, trel, srel bool
		var tpath, spath *string
		if err := rows.Scan(&id, &path, &rel, &tpath, &trel, &spath, &srel); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list expired files: %w", err)
		}
		abs := resolvePath(resolvePath(resolvePath(l.dataPath, spath, srel), tpath, trel), &path, rel)
		stored, relative := abs, false
		if r, err := filepath.Rel(l.dataPath, abs); err == nil && !strings.HasPrefix(r, "..") {
			stored, relative = filepath.ToSlash(r), true
		}
		batch.Queue(l.q(`INSERT INTO {S}.ducklake_files_scheduled_for_deletion VALUES ($1, $2, $3, now())`), id, stored, relative)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list expired files: %w", err)
	}
	n := batch.Len()
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return 0, fmt.Errorf("schedule expired files for deletion: %w", err)
	}
	return n, nil
}

// RemoveExpiredFiles deletes the files scheduled for deletion at least grace
// ago. The grace lets a query that began at a snapshot just expired finish
// reading them.
func (l *Lake) RemoveExpiredFiles(ctx context.Context, grace time.Duration) (int, error) {
	return l.removeScheduled(ctx, time.Now().Add(-grace))
}

// expiredBefore reports whether snapshots were expired from the lake, and
// the oldest one left: a lake that never expired any still has snapshot 0.
func (l *Lake) expiredBefore(ctx context.Context) (snapshot, bool, error) {
	s, err := scanSnapshot(l.pool.QueryRow(ctx, l.q(`SELECT `+snapshotColumns+` FROM {S}.ducklake_snapshot ORDER BY snapshot_id LIMIT 1`)))
	if err != nil {
		return s, false, fmt.Errorf("read the oldest snapshot: %w", err)
	}
	return s, s.ID > 0, nil
}

// missingSnapshot is the error of a time-travel request no snapshot
// matches: gone when it asks for what snapshot expiry removed (a snapshot
// id or a time before the oldest snapshot kept), not found otherwise.
func (l *Lake) missingSnapshot(ctx context.Context, opts QueryOptions, notFound error) error {
	oldest, expired, err := l.expiredBefore(ctx)
	if err == nil && expired && ((opts.Snapshot != nil && *opts.Snapshot < oldest.ID) || (opts.At != nil && opts.At.Before(oldest.Time))) {
		return &connectors.QueryError{Kind: connectors.QueryErrGone, Message: fmt.Sprintf(
			"that snapshot has expired: maintenance keeps the lake's snapshots for its retention, and the oldest kept is %d, taken at %s",
			oldest.ID, oldest.Time.UTC().Format(time.RFC3339Nano))}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: notFound.Error()}
}
