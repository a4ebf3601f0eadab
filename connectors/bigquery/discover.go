package bigquery

import (
	"context"
	"fmt"
	"net/http"

	bq "cloud.google.com/go/bigquery"
	"golang.org/x/sync/errgroup"
	"google.golang.org/api/iterator"

	"github.com/sluice-dev/sluice/connectors"
)

// metadataConcurrency bounds the tables.get calls in flight while listing:
// tables.list carries neither row counts nor descriptions.
const metadataConcurrency = 8

// Tables lists the tables and views of every dataset the service account can
// see, with their kind and row count from each table's metadata.
func (c *Connector) Tables(ctx context.Context) ([]connectors.Table, error) {
	datasets, err := c.datasets(ctx)
	if err != nil {
		return nil, c.queryError(err)
	}
	var refs []*bq.Table
	for _, id := range datasets {
		it := c.client.Dataset(id).Tables(ctx)
		for {
			t, err := it.Next()
			if err == iterator.Done {
				break
			}
			if err != nil {
				return nil, c.queryError(fmt.Errorf("list tables of %s: %w", id, err))
			}
			refs = append(refs, t)
		}
	}
	tables := make([]*connectors.Table, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(metadataConcurrency)
	for i, ref := range refs {
		g.Go(func() error {
			t, err := describe(gctx, ref)
			tables[i] = t
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, c.queryError(err)
	}
	out := make([]connectors.Table, 0, len(tables))
	for _, t := range tables {
		if t != nil {
			out = append(out, *t)
		}
	}
	return out, nil
}

// describe reads one table's metadata. A table deleted since it was listed
// is skipped (nil); one whose metadata is forbidden is listed without a count.
func describe(ctx context.Context, ref *bq.Table) (*connectors.Table, error) {
	t := &connectors.Table{Schema: ref.DatasetID, Name: ref.TableID, Kind: connectors.TableKindTable}
	md, err := ref.Metadata(ctx)
	if e, ok := asAPIError(err); ok && (e.status == http.StatusNotFound || e.status == http.StatusForbidden) {
		if e.status == http.StatusNotFound {
			return nil, nil
		}
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe %s.%s: %w", ref.DatasetID, ref.TableID, err)
	}
	t.Comment = md.Description
	switch md.Type {
	case bq.ViewTable:
		t.Kind = connectors.TableKindView
	case bq.MaterializedView:
		t.Kind = connectors.TableKindMaterializedView
	case bq.ExternalTable:
		t.Kind = connectors.TableKindExternal
	}
	// Only stored tables have a row count of their own.
	if md.Type == bq.RegularTable || md.Type == bq.Snapshot || md.Type == bq.MaterializedView {
		n := int64(md.NumRows)
		t.RowEstimate = &n
	}
	return t, nil
}

// Columns describes a table's columns from its schema; the primary key is
// BigQuery's (unenforced) primary-key constraint, when the table has one.
func (c *Connector) Columns(ctx context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	md, err := c.metadata(ctx, ref)
	if err != nil {
		return nil, err
	}
	return tableColumns(md), nil
}

// metadata reads a table's metadata, a missing table as not_found.
func (c *Connector) metadata(ctx context.Context, ref connectors.TableRef) (*bq.TableMetadata, error) {
	if ref.Schema == "" {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
			Message: fmt.Sprintf("name BigQuery tables with their dataset (dataset.%s)", ref.Name)}
	}
	md, err := c.client.Dataset(ref.Schema).Table(ref.Name).Metadata(ctx)
	if e, ok := asAPIError(err); ok && e.status == http.StatusNotFound {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound,
			Message: fmt.Sprintf("table %s does not exist or is not readable", ref)}
	}
	if err != nil {
		return nil, c.queryError(fmt.Errorf("describe %s: %w", ref, err))
	}
	return md, nil
}

func tableColumns(md *bq.TableMetadata) []connectors.Column {
	var pk []string
	if md.TableConstraints != nil && md.TableConstraints.PrimaryKey != nil {
		pk = md.TableConstraints.PrimaryKey.Columns
	}
	return columnsOf(md.Schema, pk)
}
