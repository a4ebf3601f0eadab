package activities

import (
	"context"
	"fmt"
	"os"
	"slices"

	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/syncspec"
)

// detectDeletes runs after a merge's commit when the table's delete mode is
// hard or soft: it reads every key the source has (only the key columns,
// through the connector's Reader), stages them as Parquet files beside the
// table's, and has the lake delete or mark the rows whose key is gone, as a
// commit keyed by run and table. It first heartbeats the committed merge,
// so an attempt that dies here is retried from here: the key read is redone
// whole (a partial key set is never compared, it would make present rows
// look deleted) and a commit that did happen is not made again.
func (a *Syncs) detectDeletes(ctx context.Context, beats *copyBeats, in CopyTableInput, source sourceTable, lk *lake.Lake, cols []connectors.Column, merged *mergedTable) (lake.DeleteResult, error) {
	mode := lake.DeleteMode(in.Table.DeleteMode)
	if in.LoadMethod != syncspec.LoadMerge || (mode != lake.DeleteHard && mode != lake.DeleteSoft) {
		return lake.DeleteResult{}, nil
	}
	table := in.Table.Source.String()
	keyCols := make([]connectors.Column, 0, len(in.Table.PrimaryKeys))
	for _, k := range in.Table.PrimaryKeys {
		i := slices.IndexFunc(cols, func(c connectors.Column) bool { return c.Name == k })
		if i < 0 {
			return lake.DeleteResult{}, fmt.Errorf("detect deletes of %s: primary key %s is not a column", table, k)
		}
		keyCols = append(keyCols, cols[i])
	}
	state := copyProgress{Merged: merged}
	beats.record(state)
	sink, err := newLakeSink(ctx, beats, lk, in.DestSchema, in.Table.DestTable, keyCols, nil, "", state)
	if err != nil {
		return lake.DeleteResult{}, fmt.Errorf("stage the keys of %s: %w", table, err)
	}
	defer sink.abort()
	watch := watchSource(ctx)
	defer watch.stop()
	if _, err := source.Read(watch.ctx, connectors.ReadRequest{Table: in.Table.Source, Columns: keyCols}, watchedSink{sink: sink, watch: watch}); err != nil {
		return lake.DeleteResult{}, watch.explain("read the keys of "+table, err)
	}
	watch.stop()
	keys, err := sink.finish(ctx)
	if err != nil {
		return lake.DeleteResult{}, fmt.Errorf("stage the keys of %s: %w", table, err)
	}
	defer func() {
		for _, f := range keys {
			_ = os.Remove(f.Path) // never part of a snapshot
		}
	}()
	res, err := lk.DeleteMissing(ctx, lake.DeleteRequest{
		Schema: in.DestSchema, Table: in.Table.DestTable, PrimaryKeys: in.Table.PrimaryKeys, Mode: mode,
		SourceKeys: keys, IdempotencyKey: in.RunID + "/" + table + "/deletes",
	})
	if err != nil {
		return res, fmt.Errorf("detect deletes of %s: %w", table, err)
	}
	activity.GetLogger(ctx).Info("delete detection", "table", table, "mode", string(mode), "deleted", res.Deleted, "restored", res.Restored)
	return res, nil
}
