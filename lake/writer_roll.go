package lake

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// fileJob is a staging table being written out as a Parquet file in the
// background, on the writer's second connection, while rows go on into the
// next staging table.
type fileJob struct {
	done   chan struct{}
	file   StagedFile
	upload *fileUpload
	err    error
}

// seal is a caller waiting for the files of every job launched before it.
type seal struct {
	jobs int
	fn   func(context.Context, []StagedFile) error
}

// Seal ends the current file and writes it out in the background. Once it
// and every earlier file exist, sealed gets the files written since the
// previous Seal, called from a later call on the writer (WriteBatch,
// WriteColumns, Seal or Finish) with that call's context, so on the
// caller's goroutine; those files are the caller's from then on: Finish
// does not return them again and Abort keeps them. A caller that records
// resume points (a copy heartbeating chunks) thus goes on writing while a
// chunk's last file is written.
func (w *TableWriter) Seal(ctx context.Context, sealed func(ctx context.Context, files []StagedFile) error) error {
	if err := w.writable(ctx); err != nil {
		return err
	}
	if err := w.roll(ctx, true); err != nil {
		return w.fail(err)
	}
	w.seals = append(w.seals, seal{jobs: w.launched, fn: sealed})
	return w.deliver(ctx)
}

// roll ends the current staging table: a background job writes it out,
// after the previous job is done (so at most two tables are held at once),
// and, with next, a new table takes the next rows.
func (w *TableWriter) roll(ctx context.Context, next bool) error {
	if err := w.wait(ctx); err != nil {
		return err
	}
	if err := w.endStage(); err != nil {
		return err
	}
	if w.rows == 0 {
		if err := w.duck.exec(ctx, "DROP TABLE "+w.stageName()); err != nil {
			return err
		}
	} else {
		w.launch()
	}
	if !next {
		return nil
	}
	return w.startFile(ctx)
}

// stageName is the current staging table.
func (w *TableWriter) stageName() string { return fmt.Sprintf("stage.rows_%d", w.stageN) }

// endStage appends the buffered chunk and releases the appender.
func (w *TableWriter) endStage() error {
	err := w.app.finish()
	w.app.close()
	w.app = nil
	return err
}

// launch writes the current staging table to a new file in the background.
func (w *TableWriter) launch() {
	table, mark, ctx := w.stageName(), w.keys.result(), w.bgCtx
	// Rows whose keys strictly ascend hold no key twice, so no merge needs
	// their order (the last of a repeated key wins, by its place in the
	// file): DuckDB may write them in any order.
	preserveOrder := !mark.covers(w.rows)
	query := "SELECT " + selectList(w.cols, func(i int, _ FileColumn) string {
		return w.stages[i].expr(fmt.Sprintf("c%d", i))
	}) + " FROM " + table
	job := &fileJob{done: make(chan struct{})}
	w.job = job
	w.launched++
	go func() {
		defer close(job.done)
		f, err := w.bg.writeStagedOrder(ctx, query, w.dir, w.cols, preserveOrder, w.format)
		if err != nil {
			job.err = w.lake.hidePath(fmt.Errorf("write %s.%s: %w", w.schema, w.table, w.namedValueError(valueErrorOf(err))))
			return
		}
		mark.apply(&f)
		// Uploaded while the next file is written, before it is handed
		// out, so before any commit can reference it.
		job.upload = w.startUpload(f.Path)
		job.file, job.err = f, w.bg.exec(ctx, "DROP TABLE "+table)
	}()
}

// poll collects a finished job without waiting for one still running.
func (w *TableWriter) poll(ctx context.Context) error {
	if w.job == nil {
		return nil
	}
	select {
	case <-w.job.done:
		return w.wait(ctx)
	default:
		return nil
	}
}

// wait collects the running job, if any, and delivers the seals it completes.
func (w *TableWriter) wait(ctx context.Context) error {
	if job := w.job; job != nil {
		<-job.done
		w.job = nil
		if job.err != nil {
			return job.err
		}
		w.stage(job)
		w.completed++
	}
	return w.deliver(ctx)
}

// deliver hands every complete seal its files.
func (w *TableWriter) deliver(ctx context.Context) error {
	for len(w.seals) > 0 && w.seals[0].jobs <= w.completed {
		n := w.seals[0].jobs - w.handed
		files := append([]StagedFile(nil), w.staged[:n]...)
		w.staged, w.handed = w.staged[n:], w.seals[0].jobs
		fn := w.seals[0].fn
		w.seals = w.seals[1:]
		if err := w.awaitUploads(ctx, files); err != nil {
			return err
		}
		if err := fn(ctx, files); err != nil {
			return err
		}
	}
	return nil
}

// stageDefs is the staging table's column list.
func (w *TableWriter) stageDefs() string {
	defs := make([]string, len(w.cols))
	for i, s := range w.stages {
		defs[i] = fmt.Sprintf("c%d %s", i, s.stageType)
	}
	return strings.Join(defs, ", ")
}

// stagedColumn finds DuckDB's name of a staged column (c0, c1, …) in a cast
// error's message.
var stagedColumn = regexp.MustCompile(`source column c(\d+)\b`)

// namedValueError names the column of a ValueError DuckDB raised, which
// speaks of the staged column.
func (w *TableWriter) namedValueError(err error) error {
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Column != "" {
		return err
	}
	if m := stagedColumn.FindStringSubmatch(ve.Err.Error()); m != nil {
		if i, convErr := strconv.Atoi(m[1]); convErr == nil && i < len(w.cols) {
			ve.Column = w.cols[i].Name
		}
	}
	return err
}
