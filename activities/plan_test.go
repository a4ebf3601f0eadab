package activities

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/syncspec"
)

// catalog is a Discoverer over fixed tables that counts its listings.
type catalog struct {
	tables   []connectors.Table
	listings int
	down     bool
}

func (c *catalog) Tables(context.Context) ([]connectors.Table, error) {
	c.listings++
	return c.tables, nil
}

func (c *catalog) Columns(_ context.Context, ref connectors.TableRef) ([]connectors.Column, error) {
	if c.down {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: "connection reset by peer"}
	}
	if !slices.ContainsFunc(c.tables, func(t connectors.Table) bool { return t.Ref() == ref }) {
		return nil, &connectors.QueryError{Kind: connectors.QueryErrNotFound, Message: "no such table"}
	}
	return []connectors.Column{{Name: "id", PrimaryKey: true}, {Name: "note"}}, nil
}

// TestPlanningListsTheCatalogOnlyForPatterns: exact table names are planned
// without listing the source's catalog, a missing one becomes that table's
// problem, a pattern lists the catalog, and a source that drops the
// connection while tables are described fails the planning (so it is
// retried) instead of failing the tables.
func TestPlanningListsTheCatalogOnlyForPatterns(t *testing.T) {
	ctx := context.Background()
	src := &catalog{tables: []connectors.Table{{Schema: "public", Name: "users"}, {Schema: "public", Name: "orders"}}}
	plan := func(specs ...string) ([]TablePlan, error) {
		var ts []syncspec.TableSpec
		for _, s := range specs {
			ts = append(ts, syncspec.TableSpec{Name: s})
		}
		tables, err := selectableTables(ctx, src, ts)
		if err != nil {
			return nil, err
		}
		var out []TablePlan
		for _, tp := range expandTables(ts, tables, nil) {
			if tp.Problem == "" {
				if tp, err = (&Syncs{}).planTable(ctx, src, syncspec.LoadMerge, tp); err != nil {
					return nil, err
				}
			}
			out = append(out, tp)
		}
		return out, nil
	}

	got, err := plan("public.users", "public.gone")
	if err != nil || src.listings != 0 || len(got) != 2 {
		t.Fatalf("exact names: %+v, %v, %d listings", got, err, src.listings)
	}
	if got[0].Problem != "" || !slices.Equal(got[0].PrimaryKeys, []string{"id"}) {
		t.Errorf("public.users planned as %+v", got[0])
	}
	if want := "table public.gone does not exist in the source or is not readable"; got[1].Problem != want {
		t.Errorf("public.gone: problem %q, want %q", got[1].Problem, want)
	}

	got, err = plan("public.*")
	if err != nil || src.listings != 1 || len(got) != 2 {
		t.Fatalf("a pattern: %+v, %v, %d listings", got, err, src.listings)
	}

	src.down = true
	var qErr *connectors.QueryError
	if _, err := plan("public.users"); !errors.As(err, &qErr) || qErr.Kind != connectors.QueryErrConnection {
		t.Fatalf("a dropped connection while planning: %v, want the connection error", err)
	}
}
