package bigquery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	bq "cloud.google.com/go/bigquery"

	"github.com/sluice-dev/sluice/connectors"
)

const (
	defaultBatchSize = 10_000
	defaultChunkRows = 1_000_000
)

// Read reads a table in bulk, through one of three paths:
//
//   - an unordered read of a large stored table (see storagePays) opens a
//     Storage Read API session on the table, which selects the columns and
//     filters past the cursor itself: no query runs, so none is billed;
//   - any other read runs one query over the table, and reads its result
//     through a session of one stream when it has many rows, or else a
//     batch per jobs.getQueryResults page.
//
// With OrderBy the query sorts by those columns and every ChunkRows rows a
// ChunkSink learns the last key delivered, so a read can resume after it.
// Chunks are not separate queries, as they are for the SQL databases: every
// BigQuery query is billed for scanning the table, LIMIT or not, so one
// query per read (and one per resume) keeps a read's cost at one scan.
// Credentials that may not create read sessions read through the REST API.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, sink connectors.RowSink) (connectors.ReadStats, error) {
	var stats connectors.ReadStats
	if req.BatchSize <= 0 {
		req.BatchSize = defaultBatchSize
	}
	if req.ChunkRows <= 0 {
		req.ChunkRows = defaultChunkRows
	}
	var md *bq.TableMetadata
	if len(req.Columns) == 0 || len(req.OrderBy) == 0 {
		var err error
		if md, err = c.metadata(ctx, req.Table); err != nil {
			return stats, err
		}
		if len(req.Columns) == 0 {
			req.Columns = tableColumns(md)
		}
	}
	if len(req.OrderBy) == 0 && c.storagePays(md) {
		w := newRowWriter(ctx, req, sink, &stats)
		err := c.readTable(ctx, req, md.Schema, w)
		if !errors.Is(err, errSessionDenied) {
			if err != nil {
				return stats, err
			}
			return stats, w.finish()
		}
		stats = connectors.ReadStats{} // denied before any row was read
	}
	sql, params, err := c.readSQL(req)
	if err != nil {
		return stats, err
	}
	q := c.client.Query(sql)
	q.Parameters = params
	job, err := q.Run(ctx)
	if err != nil {
		return stats, c.queryError(fmt.Errorf("read %s: %w", req.Table, err))
	}
	it, err := job.Read(ctx)
	if err != nil {
		return stats, c.jobError(ctx, job, err)
	}
	w := newRowWriter(ctx, req, sink, &stats)
	if it.TotalRows >= uint64(c.settings.storageMinRows) {
		err := c.readResult(ctx, req, job, it.Schema, w)
		if !errors.Is(err, errSessionDenied) {
			if err != nil {
				return stats, err
			}
			return stats, w.finish()
		}
	}
	if err := c.eachPage(ctx, job, it, min(req.BatchSize, maxPageRows), w.add); err != nil {
		return stats, err
	}
	return stats, w.finish()
}

// readSQL builds the read query. The resume key is spelled out column by
// column (k1 > @after0 OR (k1 = @after0 AND k2 > @after1) …): GoogleSQL has
// no row-value comparison.
func (c *Connector) readSQL(req connectors.ReadRequest) (string, []bq.QueryParameter, error) {
	column := func(name string) (connectors.Column, error) {
		i := slices.IndexFunc(req.Columns, func(c connectors.Column) bool { return c.Name == name })
		if i < 0 {
			return connectors.Column{}, fmt.Errorf("read %s: column %q is not among the columns read", req.Table, name)
		}
		return req.Columns[i], nil
	}
	var params []bq.QueryParameter
	param := func(name string, col connectors.Column, v any) error {
		value, err := cursorParam(col, v)
		if err != nil {
			return fmt.Errorf("read %s: value for %s: %w", req.Table, col.Name, err)
		}
		params = append(params, bq.QueryParameter{Name: name, Value: value})
		return nil
	}
	var where []string
	if req.CursorField != "" && req.CursorAfter != nil {
		col, err := column(req.CursorField)
		if err == nil {
			err = param("cursor", col, req.CursorAfter)
		}
		if err != nil {
			return "", nil, err
		}
		where = append(where, quoteIdent(col.Name)+" > @cursor")
	}
	keys := make([]string, len(req.OrderBy))
	for i, name := range req.OrderBy {
		col, err := column(name)
		if err != nil {
			return "", nil, err
		}
		keys[i] = quoteIdent(col.Name)
		if len(req.ResumeAfter) > 0 {
			if len(req.ResumeAfter) != len(req.OrderBy) {
				return "", nil, fmt.Errorf("read %s: resume key has %d values for %d order columns", req.Table, len(req.ResumeAfter), len(req.OrderBy))
			}
			if err := param(fmt.Sprintf("after%d", i), col, req.ResumeAfter[i]); err != nil {
				return "", nil, err
			}
		}
	}
	if len(req.ResumeAfter) > 0 {
		alternatives := make([]string, len(keys))
		for i := range keys {
			var terms []string
			for j := 0; j < i; j++ {
				terms = append(terms, fmt.Sprintf("%s = @after%d", keys[j], j))
			}
			terms = append(terms, fmt.Sprintf("%s > @after%d", keys[i], i))
			alternatives[i] = "(" + strings.Join(terms, " AND ") + ")"
		}
		where = append(where, "("+strings.Join(alternatives, " OR ")+")")
	}
	names := make([]string, len(req.Columns))
	for i, col := range req.Columns {
		names[i] = quoteIdent(col.Name)
	}
	sql := fmt.Sprintf("SELECT %s FROM %s.%s.%s", strings.Join(names, ", "),
		quoteIdent(c.project), quoteIdent(req.Table.Schema), quoteIdent(req.Table.Name))
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	if len(keys) > 0 {
		sql += " ORDER BY " + strings.Join(keys, ", ")
	}
	return sql, params, nil
}

// quoteIdent quotes a GoogleSQL identifier with backticks, escaping
// backslashes and backticks inside it.
func quoteIdent(name string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(name) + "`"
}
