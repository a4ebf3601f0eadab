package activities

import (
	"context"
	"slices"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/lake"
)

// lakeSink writes rows read from a source into lake Parquet files. At every
// chunk boundary it seals its files and, once they are written, heartbeats
// the resume point.
type lakeSink struct {
	lake      *lake.Lake
	schema    string
	table     string
	cols      []connectors.Column
	orderBy   []string
	writer    *lake.TableWriter
	progress  copyProgress
	chunkRows int64
	// pendingRows were read in chunks whose files are still being written.
	pendingRows int64
	cursorIdx   int
	lastBeat    time.Time
	beatEvery   time.Duration
	// beats are the copy's heartbeats, which the sink feeds with progress;
	// they outlive the sink (the commit and delete detection that follow
	// must go on beating too).
	beats *copyBeats
}

var _ connectors.ColumnSink = (*lakeSink)(nil)

// newLakeSink starts writing; orderBy are the key columns an ordered read
// delivers rows by (none for an unordered read).
func newLakeSink(ctx context.Context, beats *copyBeats, lk *lake.Lake, schema, table string, cols []connectors.Column, orderBy []string, cursorField string, progress copyProgress) (*lakeSink, error) {
	s := &lakeSink{lake: lk, schema: schema, table: table, cols: cols, orderBy: orderBy, progress: progress, lastBeat: time.Now(), beatEvery: min(heartbeatPace(ctx), cancelPace),
		cursorIdx: slices.IndexFunc(cols, func(c connectors.Column) bool { return cursorField != "" && c.Name == cursorField }), beats: beats}
	if err := s.openWriter(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *lakeSink) openWriter(ctx context.Context) error {
	w, err := s.lake.NewTableWriter(ctx, s.schema, s.table, s.cols)
	if err != nil {
		return err
	}
	s.writer = w
	if len(s.orderBy) > 0 {
		// Files that keep the read's key order merge without a search for
		// repeated keys; a key the writer cannot order merges the general way.
		_ = w.TrackKeyOrder(s.orderBy)
	}
	return nil
}

// WriteBatch appends rows, heartbeating progress now and then so a stalled
// worker is told apart from a long chunk.
func (s *lakeSink) WriteBatch(ctx context.Context, rows [][]any) error {
	if err := s.writer.WriteBatch(ctx, rows); err != nil {
		return err
	}
	if s.cursorIdx >= 0 {
		for _, r := range rows {
			s.progress.MaxCursor = laterCursor(s.progress.MaxCursor, r[s.cursorIdx])
		}
	}
	return s.written(ctx, len(rows))
}

// WriteColumns appends a batch held column by column, as WriteBatch does rows.
func (s *lakeSink) WriteColumns(ctx context.Context, b *connectors.ColumnBatch) error {
	if err := s.writer.WriteColumns(ctx, b); err != nil {
		return err
	}
	if s.cursorIdx >= 0 {
		c := &b.Cols[s.cursorIdx]
		if r := c.MaxIndex(b.Len); r >= 0 {
			s.progress.MaxCursor = laterCursor(s.progress.MaxCursor, c.Value(r))
		}
	}
	return s.written(ctx, b.Len)
}

// written counts rows written and heartbeats now and then.
func (s *lakeSink) written(ctx context.Context, n int) error {
	s.chunkRows += int64(n)
	if time.Since(s.lastBeat) > s.beatEvery {
		beat := s.progress
		beat.Unsealed = s.pendingRows + s.chunkRows
		s.beats.record(beat)
		s.lastBeat = time.Now()
	}
	return ctx.Err()
}

// ChunkDone seals the chunk's files and, once they are written (the writer
// goes on with the next chunk meanwhile), records them as the resume point.
func (s *lakeSink) ChunkDone(ctx context.Context, lastKey []any) error {
	rows := s.chunkRows
	s.chunkRows = 0
	s.pendingRows += rows
	// The files are recorded when the writer delivers them, maybe after
	// this call has returned (copyBeats heartbeats on the activity's context).
	return s.writer.Seal(ctx, func(_ context.Context, files []lake.StagedFile) error {
		s.progress.Files = append(s.progress.Files, files...)
		s.progress.After = lastKey
		s.progress.RowsRead += rows
		s.pendingRows -= rows
		s.beats.record(s.progress)
		s.lastBeat = time.Now()
		return nil
	})
}

// finish seals the last files and returns every staged file of the table.
func (s *lakeSink) finish(ctx context.Context) ([]lake.StagedFile, error) {
	files, err := s.writer.Finish(ctx)
	if err != nil {
		return nil, err
	}
	s.writer = nil
	return append(s.progress.Files, files...), nil
}

// abort removes the open writer's partial files; staged chunks stay for a retry.
func (s *lakeSink) abort() {
	if s.writer != nil {
		s.writer.Abort()
	}
}
