package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pglogrepl"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/db"
	"github.com/sluice-dev/sluice/syncspec"
)

// ErrTypeSlotGone marks a cdc run whose replication slot was dropped or
// invalidated: only a replay with a fresh snapshot recovers.
const ErrTypeSlotGone = "SlotGone"

// ErrTypeMovedRowUnknown marks a cdc run that met an update moving a row to
// a new key without all of its values: it fails the same way on every try.
const ErrTypeMovedRowUnknown = "MovedRowUnknown"

// CaptureChangesInput asks for one cdc run of a configuration's tables.
type CaptureChangesInput struct {
	TeamID        string      `json:"team_id"`
	IntegrationID string      `json:"integration_id"`
	RunID         string      `json:"run_id"`
	ConfigID      string      `json:"config_id"`
	DestSchema    string      `json:"dest_schema"`
	Tables        []TablePlan `json:"tables"`
	// Resnapshot drops the slot and copies the tables again from a fresh
	// one (a replay): the way back from an invalidated slot.
	Resnapshot bool `json:"resnapshot,omitempty"`
}

// CaptureChangesOutput reports a cdc run: the tables that failed (the others
// succeeded) and the slot's lag after it.
type CaptureChangesOutput struct {
	Failures []TableFailure `json:"failures,omitempty"`
	Snapshot bool           `json:"snapshot,omitempty"`
	LagBytes int64          `json:"lag_bytes"`
}

// cdcProgress is a cdc run's heartbeat: where it is, never rows.
type cdcProgress struct {
	Phase   string `json:"phase"`
	LSN     string `json:"lsn,omitempty"`
	Changes int64  `json:"changes"`
}

// cdcSource is what a cdc run needs of its source.
type cdcSource interface {
	sourceTable
	Slot(ctx context.Context, slot string) (postgres.SlotStatus, error)
	EnsurePublication(ctx context.Context, publication string, tables []connectors.TableRef) error
	DropCDC(ctx context.Context, slot, publication string) error
	OpenReplication(ctx context.Context) (*postgres.Replication, error)
	OpenChangeReader(ctx context.Context, slot string) (*postgres.ChangeReader, error)
	AdvanceSlot(ctx context.Context, slot string, lsn pglogrepl.LSN) error
	MoveSlotToKept(ctx context.Context, slot string) error
	RecoverSlot(ctx context.Context, slot string) error
	PublishedTables(ctx context.Context, publication string) ([]connectors.TableRef, error)
	BinaryChanges(ctx context.Context, tables []connectors.TableRef) (bool, error)
}

// cdcRun is one CaptureChanges attempt.
type cdcRun struct {
	a       *Syncs
	in      CaptureChangesInput
	teamID  uuid.UUID
	cfgID   uuid.UUID
	runID   uuid.UUID
	source  cdcSource
	beats   *copyBeats
	slot    string
	pub     string
	integID uuid.UUID
}

// CaptureChanges runs a cdc configuration once. The first run (and a
// replay) creates the publication and the slot, and copies every table in
// the snapshot the slot exported. Later runs apply the changes the slot
// recorded up to the server's position at the start, in commit order, as
// merges into the lake, then advance the slot past them; a table that fails
// keeps the slot where it was, so its changes come again.
func (a *Syncs) CaptureChanges(ctx context.Context, in CaptureChangesInput) (CaptureChangesOutput, error) {
	r := &cdcRun{a: a, in: in}
	var err error
	if r.teamID, r.integID, err = parseIDs(in.TeamID, in.IntegrationID); err != nil {
		return CaptureChangesOutput{}, err
	}
	if r.cfgID, r.runID, err = parseIDs(in.ConfigID, in.RunID); err != nil {
		return CaptureChangesOutput{}, err
	}
	r.slot, r.pub = postgres.SlotName(r.cfgID), postgres.PublicationName(r.cfgID)
	r.beats = startCopyBeats(ctx, cdcProgress{Phase: "starting"})
	defer r.beats.stop()
	sealed, err := a.sealedIntegration(ctx, r.teamID, r.integID)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	source, closeFn, err := OpenConnector[cdcSource](ctx, a.Keyring, sealed)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	defer closeFn(context.WithoutCancel(ctx))
	r.source = source
	for _, t := range in.Tables {
		if err := a.queries().SyncRunTableStart(ctx, db.SyncRunTableStartParams{TeamID: r.teamID, RunID: r.runID, SourceTable: t.Source.String()}); err != nil {
			return CaptureChangesOutput{}, fmt.Errorf("mark %s running: %w", t.Source, err)
		}
	}
	out, err := r.run(ctx)
	if err != nil {
		return out, err
	}
	if st, err := source.Slot(ctx, r.slot); err == nil && st.Exists {
		out.LagBytes = st.LagBytes
	}
	lag := out.LagBytes
	if err := a.queries().SyncRunSetCDCLag(ctx, db.SyncRunSetCDCLagParams{TeamID: r.teamID, ID: r.runID, CdcLagBytes: &lag}); err != nil {
		return out, fmt.Errorf("record the slot's lag: %w", err)
	}
	if err := a.queries().CDCSlotSetLag(ctx, db.CDCSlotSetLagParams{TeamID: r.teamID, ConfigID: r.cfgID, LagBytes: lag}); err != nil {
		return out, fmt.Errorf("record the slot's lag: %w", err)
	}
	return out, nil
}

func (r *cdcRun) run(ctx context.Context) (CaptureChangesOutput, error) {
	q := r.a.queries()
	state, err := q.CDCSlotGet(ctx, db.CDCSlotGetParams{TeamID: r.teamID, ConfigID: r.cfgID})
	known := err == nil
	if err != nil && !errors.Is(err, errNoRows) {
		return CaptureChangesOutput{}, fmt.Errorf("read the slot's state: %w", err)
	}
	if err := r.source.RecoverSlot(ctx, r.slot); err != nil {
		return CaptureChangesOutput{}, err
	}
	st, err := r.source.Slot(ctx, r.slot)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	streaming := known && state.Phase == "streaming"
	switch {
	case r.in.Resnapshot || !streaming:
		return r.snapshot(ctx, st)
	case !st.Exists || st.Lost:
		what := "was dropped"
		if st.Lost {
			what = "was invalidated by the server (it held back more WAL than max_slot_wal_keep_size allows)"
		}
		msg := fmt.Sprintf("replication slot %s %s, so the changes since %s are lost; replay the sync with tables \"all\" "+
			"(POST /v1/api/integrations/%s/sync/replay) to copy the tables again from a fresh snapshot", r.slot, what, appliedSince(state.AppliedLsn), r.in.IntegrationID)
		return CaptureChangesOutput{}, temporal.NewNonRetryableApplicationError(msg, ErrTypeSlotGone, nil)
	}
	var applied pglogrepl.LSN
	if state.AppliedLsn != nil {
		applied, _ = pglogrepl.ParseLSN(*state.AppliedLsn)
	}
	return r.stream(ctx, st, applied)
}

// snapshot starts over: a fresh publication and slot, and every table
// copied (replacing its lake table) in the snapshot the slot exported. The
// slot's changes start where that snapshot ends, so none is missed or
// applied twice. A retry of a failed snapshot starts over again.
func (r *cdcRun) snapshot(ctx context.Context, st postgres.SlotStatus) (CaptureChangesOutput, error) {
	q := r.a.queries()
	if st.Exists {
		if err := r.source.DropCDC(ctx, r.slot, r.pub); err != nil {
			return CaptureChangesOutput{}, err
		}
	}
	refs := make([]connectors.TableRef, len(r.in.Tables))
	for i, t := range r.in.Tables {
		refs[i] = t.Source
	}
	if err := r.source.EnsurePublication(ctx, r.pub, refs); err != nil {
		return CaptureChangesOutput{}, err
	}
	if err := q.CDCSlotStartSnapshot(ctx, db.CDCSlotStartSnapshotParams{TeamID: r.teamID, ID: r.cfgID, SlotName: r.slot, PublicationName: r.pub}); err != nil {
		return CaptureChangesOutput{}, fmt.Errorf("record the slot: %w", err)
	}
	repl, err := r.source.OpenReplication(ctx)
	if err != nil {
		return CaptureChangesOutput{}, asActivityError(err)
	}
	// The exported snapshot lives as long as this connection stays open and idle.
	defer repl.Close(context.WithoutCancel(ctx))
	created, err := repl.CreateSlot(ctx, r.slot)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	r.beats.record(cdcProgress{Phase: "snapshot", LSN: created.ConsistentPoint.String()})
	out := CaptureChangesOutput{Snapshot: true}
	for _, t := range r.in.Tables {
		if err := r.copyInSnapshot(ctx, t, created.Snapshot); err != nil {
			out.Failures = append(out.Failures, TableFailure{Table: t.Source.String(), Status: "failed", Error: permanentCopyError(t.Source.String(), err).Error()})
		}
	}
	if len(out.Failures) > 0 {
		// Streaming must start from a complete copy: the next run snapshots again.
		return out, nil
	}
	lsn := created.ConsistentPoint.String()
	if err := q.CDCSlotApplied(ctx, db.CDCSlotAppliedParams{TeamID: r.teamID, ConfigID: r.cfgID, AppliedLsn: &lsn}); err != nil {
		return out, fmt.Errorf("record the snapshot's position: %w", err)
	}
	return out, nil
}

// copyInSnapshot copies one table as it was in the exported snapshot,
// replacing the lake table, and records it as the table's result.
func (r *cdcRun) copyInSnapshot(ctx context.Context, t TablePlan, snapshot string) error {
	in := CopyTableInput{TeamID: r.in.TeamID, IntegrationID: r.in.IntegrationID, RunID: r.in.RunID, ConfigID: r.in.ConfigID,
		DestSchema: r.in.DestSchema, LoadMethod: syncspec.LoadOverwrite, Table: t}
	if err := r.a.checkOwner(ctx, r.teamID, r.integID, in); err != nil {
		return err
	}
	cols, err := r.source.Columns(ctx, t.Source)
	if err != nil {
		return fmt.Errorf("describe %s: %w", t.Source, err)
	}
	lk, err := r.a.teamLake(ctx, r.teamID)
	if err != nil {
		return err
	}
	watch := watchSource(ctx)
	defer watch.stop()
	merged, err := r.a.loadTable(ctx, r.beats, in, r.teamID, r.source, watch, lk, cols, copyProgress{}, snapshot)
	if err != nil {
		return err
	}
	snap := merged.Result.SnapshotID
	return r.a.queries().SyncRunTableSucceed(ctx, db.SyncRunTableSucceedParams{
		TeamID: r.teamID, RunID: r.runID, SourceTable: t.Source.String(), RowsRead: merged.RowsRead, RowsWritten: merged.Result.RowsWritten,
		BytesWritten: merged.Result.BytesWritten, SnapshotID: &snap,
	})
}

// cdcWindow bounds the WAL one read of the slot's changes decodes
// (Syncs.CDCWindowMB): the server keeps its whole answer (in a temporary
// file past work_mem) before it sends the first change, and the run commits
// what it read before the slot can move on to the next window.
func (a *Syncs) cdcWindow() pglogrepl.LSN {
	if a.CDCWindowMB <= 0 {
		return 4096 << 20
	}
	return pglogrepl.LSN(a.CDCWindowMB) << 20
}

// stream applies the slot's changes since its confirmed position up to the
// server's position now, a window of WAL at a time: each window's changes
// are committed to the lake, then the slot advanced past them, unless a
// table failed.
func (r *cdcRun) stream(ctx context.Context, st postgres.SlotStatus, applied pglogrepl.LSN) (CaptureChangesOutput, error) {
	lk, err := r.a.teamLake(ctx, r.teamID)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	buf, err := newChangeBuffer(ctx, r, lk)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	defer buf.discard()
	published, err := r.source.PublishedTables(ctx, r.pub)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	buf.markUnpublished(published)
	binary, err := r.source.BinaryChanges(ctx, published)
	if err != nil {
		return CaptureChangesOutput{}, err
	}
	reader, err := r.source.OpenChangeReader(ctx, r.slot)
	if err != nil {
		return CaptureChangesOutput{}, r.streamError(err)
	}
	defer reader.Close(context.WithoutCancel(ctx))
	r.beats.record(cdcProgress{Phase: "streaming", LSN: st.ConfirmedLSN.String()})
	reached := st.ConfirmedLSN
	for {
		opts := postgres.StreamOptions{Slot: r.slot, Publication: r.pub, Start: reached, Until: min(st.CurrentLSN, reached+r.a.cdcWindow()),
			Columns: buf.columns(), SkipBefore: applied, Binary: binary}
		began := time.Now()
		next, err := reader.Read(ctx, opts, buf)
		if err != nil {
			return CaptureChangesOutput{}, r.streamError(err)
		}
		read := time.Now()
		if err := buf.flush(ctx); err != nil {
			return CaptureChangesOutput{}, err
		}
		if buf.applyFailed() {
			break // the slot stays, so the failed tables' changes come again
		}
		committed := time.Now()
		if err := r.confirm(ctx, reader, next, st.LagBytes); err != nil {
			return CaptureChangesOutput{}, err
		}
		// Where a window's time went, for an operator sizing windows.
		activity.GetLogger(ctx).Info("cdc window applied", "slot", r.slot, "from", reached.String(), "to", next.String(), "changes", buf.changes,
			"read", read.Sub(began).String(), "commit", committed.Sub(read).String(), "advance", time.Since(committed).String())
		reached = next
		if reached >= st.CurrentLSN {
			break
		}
	}
	out := CaptureChangesOutput{Failures: buf.failures()}
	if err := buf.recordTables(ctx); err != nil {
		return out, err
	}
	activity.GetLogger(ctx).Info("cdc run applied", "slot", r.slot, "from", st.ConfirmedLSN.String(), "to", reached.String(), "changes", buf.changes)
	return out, nil
}

// confirm records that the lake holds the changes before lsn, then moves
// the slot there (to the reader's position, which may be a transaction
// past lsn: every change before it was read and applied), so the source
// may recycle the WAL that holds them.
func (r *cdcRun) confirm(ctx context.Context, reader *postgres.ChangeReader, lsn pglogrepl.LSN, lag int64) error {
	kept, err := reader.Keep(ctx)
	if err != nil {
		return r.streamError(err)
	}
	at := lsn.String()
	if err := r.a.queries().CDCSlotApplied(ctx, db.CDCSlotAppliedParams{TeamID: r.teamID, ConfigID: r.cfgID, AppliedLsn: &at, LagBytes: lag}); err != nil {
		return fmt.Errorf("record the applied position: %w", err)
	}
	if kept {
		err = r.source.MoveSlotToKept(ctx, r.slot)
	} else {
		err = r.source.AdvanceSlot(ctx, r.slot, lsn)
	}
	return r.streamError(err)
}

// streamError makes a slot that disappeared mid-run, and a change that
// cannot be applied exactly, clear and final failures.
func (r *cdcRun) streamError(err error) error {
	switch {
	case errors.Is(err, postgres.ErrSlotGone):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%v; replay the sync with tables \"all\" to copy the tables again from a fresh snapshot", err), ErrTypeSlotGone, nil)
	case errors.Is(err, postgres.ErrMovedRowUnknown):
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeMovedRowUnknown, nil)
	}
	return err
}

// appliedSince names the position changes were applied up to.
func appliedSince(s *string) string {
	if s == nil {
		return "its creation"
	}
	return *s
}
