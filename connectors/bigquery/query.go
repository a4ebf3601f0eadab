package bigquery

import (
	"context"
	"errors"
	"fmt"
	"time"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/iterator"

	"github.com/sluice-dev/sluice/connectors"
)

// timeoutGrace lets BigQuery's own job timeout fire before the client gives
// up, so the error names the timeout rather than a cancelled request.
const timeoutGrace = 2 * time.Second

// cancelTimeout bounds the request that cancels a job the caller gave up on.
const cancelTimeout = 10 * time.Second

// maxPageRows bounds one jobs.getQueryResults page.
const maxPageRows = 10_000

// Query dry-runs the statement and refuses anything BigQuery does not call a
// SELECT, then runs it as a query job with a job timeout, fetching at most
// opts.MaxRows rows (one more to know whether there were more).
func (c *Connector) Query(ctx context.Context, sql string, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout+timeoutGrace)
		defer cancel()
	}
	if err := c.checkSelect(ctx, sql); err != nil {
		return nil, err
	}
	q := c.client.Query(sql)
	q.JobTimeout = opts.Timeout
	job, err := q.Run(ctx)
	if err != nil {
		return nil, c.queryError(err)
	}
	pageSize := maxPageRows
	if opts.MaxRows > 0 && opts.MaxRows+1 < pageSize {
		pageSize = opts.MaxRows + 1
	}
	b := connectors.NewResultBuilder(nil, opts)
	schema, err := c.eachRow(ctx, job, pageSize, func(row []any) (bool, error) {
		return b.Room() && b.Add(row), nil
	})
	if err != nil {
		return nil, err
	}
	b.SetColumns(resultColumns(schema))
	return b.Result(), nil
}

// eachRow waits for a query job and reads its result, pageSize rows per
// jobs.getQueryResults call, handing fn each row normalized until fn says
// to stop. It returns the result's schema.
func (c *Connector) eachRow(ctx context.Context, job *bq.Job, pageSize int, fn func(row []any) (more bool, err error)) (bq.Schema, error) {
	it, err := job.Read(ctx)
	if err != nil {
		return nil, c.jobError(ctx, job, err)
	}
	return it.Schema, c.eachPage(ctx, job, it, pageSize, fn)
}

// eachPage reads the result of a finished job from it, pageSize rows per
// jobs.getQueryResults call, handing fn each row normalized until fn says
// to stop.
func (c *Connector) eachPage(ctx context.Context, job *bq.Job, it *bq.RowIterator, pageSize int, fn func(row []any) (more bool, err error)) error {
	it.PageInfo().MaxSize = pageSize
	for {
		var row []bq.Value
		err := it.Next(&row)
		if err == iterator.Done {
			return nil
		}
		if err != nil {
			return c.jobError(ctx, job, err)
		}
		if more, err := fn(normalizeRow(row, it.Schema)); err != nil || !more {
			return err
		}
	}
}

// checkSelect asks BigQuery what kind of statement sql is, without running
// it: a dry run compiles the statement and reports its type. Scripts,
// DML, DDL and everything else that is not a SELECT are refused.
func (c *Connector) checkSelect(ctx context.Context, sql string) error {
	q := c.client.Query(sql)
	q.DryRun = true
	job, err := q.Run(ctx)
	if err != nil {
		return c.queryError(err)
	}
	var stmtType string
	if status := job.LastStatus(); status != nil && status.Statistics != nil {
		if stats, ok := status.Statistics.Details.(*bq.QueryStatistics); ok {
			stmtType = stats.StatementType
		}
	}
	if stmtType != "SELECT" {
		if stmtType == "" {
			stmtType = "unknown"
		}
		return &connectors.ReadOnlyError{Reason: fmt.Sprintf("BigQuery's dry run says this is a %s statement, not a SELECT", stmtType)}
	}
	return nil
}

// jobError classifies a failure while waiting for or reading a job, and
// cancels the job when the caller ran out of time so it stops using slots.
func (c *Connector) jobError(ctx context.Context, job *bq.Job, err error) error {
	if ctx.Err() != nil {
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
		defer cancel()
		_ = job.Cancel(cancelCtx) // best effort: the job timeout stops it anyway
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
		}
	}
	return c.queryError(err)
}

func normalizeRow(row []bq.Value, schema bq.Schema) []any {
	out := make([]any, len(row))
	for i, v := range row {
		if i < len(schema) {
			out[i] = normalize(v, schema[i])
		}
	}
	return out
}
