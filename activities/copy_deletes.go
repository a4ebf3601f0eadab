package activities

import (
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/syncspec"
)

// detectDeletes runs after a merge's commit when the table's delete mode is
// hard or soft, and has the lake delete or mark the rows whose key the
// source no longer has, as a commit keyed by run and table. When the merge
// read the whole table, the rows it left behind in older files are those
// rows, and nothing more is read from the source. Otherwise (a cursor
// selected only the newer rows) it reads every key the source has (only the
// key columns, through the connector's Reader) and stages them as Parquet
// beside the table's files for the lake to compare. It first heartbeats the
// committed merge, so an attempt that dies here is retried from here: the
// key read is redone whole (a partial key set is never compared, it would
// make present rows look deleted) and a commit that did happen is not made
// again.
func (a *Syncs) detectDeletes(ctx context.Context, beats *copyBeats, in CopyTableInput, source sourceTable, lk *lake.Lake, cols []connectors.Column, merged *mergedTable) (lake.DeleteResult, error) {
	mode := lake.DeleteMode(in.Table.DeleteMode)
	if in.LoadMethod != syncspec.LoadMerge || (mode != lake.DeleteHard && mode != lake.DeleteSoft) {
		return lake.DeleteResult{}, nil
	}
	table := in.Table.Source.String()
	state := copyProgress{Merged: merged}
	beats.record(state)
	req := lake.DeleteRequest{
		Schema: in.DestSchema, Table: in.Table.DestTable, PrimaryKeys: in.Table.PrimaryKeys, Mode: mode,
		IdempotencyKey: in.RunID + "/" + table + "/deletes",
	}
	if merged.FullRead && merged.Result.SnapshotID > 0 {
		req.AfterFullMerge = merged.Result.SnapshotID
	} else {
		keys, err := a.stageSourceKeys(ctx, beats, in, source, lk, cols, state)
		if err != nil {
			return lake.DeleteResult{}, err
		}
		defer lk.RemoveStaged(context.WithoutCancel(ctx), keys) // never part of a snapshot
		req.SourceKeys = keys
	}
	res, err := lk.DeleteMissing(ctx, req)
	if err != nil {
		return res, fmt.Errorf("detect deletes of %s: %w", table, err)
	}
	activity.GetLogger(ctx).Info("delete detection", "table", table, "mode", string(mode), "deleted", res.Deleted, "restored", res.Restored,
		"keys_read", req.AfterFullMerge == 0)
	return res, nil
}

// stageSourceKeys reads every key the source has into staged files, which
// the caller removes.
func (a *Syncs) stageSourceKeys(ctx context.Context, beats *copyBeats, in CopyTableInput, source sourceTable, lk *lake.Lake, cols []connectors.Column, state copyProgress) ([]lake.StagedFile, error) {
	table := in.Table.Source.String()
	keyCols := make([]connectors.Column, 0, len(in.Table.PrimaryKeys))
	for _, k := range in.Table.PrimaryKeys {
		i := slices.IndexFunc(cols, func(c connectors.Column) bool { return c.Name == k })
		if i < 0 {
			return nil, fmt.Errorf("detect deletes of %s: primary key %s is not a column", table, k)
		}
		keyCols = append(keyCols, cols[i])
	}
	sink, err := newLakeSink(ctx, beats, lk, in.DestSchema, in.Table.DestTable, keyCols, nil, "", state)
	if err != nil {
		return nil, fmt.Errorf("stage the keys of %s: %w", table, err)
	}
	defer sink.abort()
	watch := watchSource(ctx)
	defer watch.stop()
	if _, err := source.Read(watch.ctx, connectors.ReadRequest{Table: in.Table.Source, Columns: keyCols}, watchedSink{sink: sink, watch: watch}); err != nil {
		return nil, watch.explain("read the keys of "+table, err)
	}
	watch.stop()
	keys, err := sink.finish(ctx)
	if err != nil {
		return nil, fmt.Errorf("stage the keys of %s: %w", table, err)
	}
	return keys, nil
}
