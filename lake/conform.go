package lake

import (
	"context"
	"fmt"
	"slices"

	"github.com/sluice-dev/sluice/connectors"
)

// conformFiles checks that every staged file's field ids are the lake
// columns' ids and its types ones the lake columns can be read as. A file
// staged against an older catalog (another commit changed the table while it
// was written) is rewritten with the right ids and types; the original is
// removed once the commit succeeds.
func (ct *commitTx) conformFiles(ctx context.Context, t *lakeTable, plan columnPlan, files []StagedFile) ([]StagedFile, error) {
	want := map[string]FileColumn{}
	for _, c := range plan.Files {
		want[c.Name] = c
	}
	out := make([]StagedFile, 0, len(files))
	for _, f := range files {
		cols, ok, err := conforms(f, want)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, f)
			continue
		}
		d, err := ct.getDuck(ctx)
		if err != nil {
			return nil, err
		}
		query := "SELECT " + selectList(cols, func(i int, c FileColumn) string {
			return fmt.Sprintf("CAST(%s AS %s)", quoteIdent(f.Columns[i].Name), duckdbType(c.Type))
		}) + " FROM read_parquet(" + quoteString(f.Path) + ")"
		format, err := ct.fileFormat(ctx, t)
		if err != nil {
			return nil, err
		}
		nf, err := d.writeStaged(ctx, query, ct.l.tableDir(t), cols, format)
		if err != nil {
			return nil, fmt.Errorf("rewrite %s with the lake's field ids: %w", f.Path, err)
		}
		ct.created = append(ct.created, nf.Path)
		ct.obsolete = append(ct.obsolete, f.Path)
		out = append(out, nf)
	}
	return out, nil
}

// conforms returns the lake's version of a file's columns and whether the
// file already matches it.
func conforms(f StagedFile, want map[string]FileColumn) ([]FileColumn, bool, error) {
	cols := make([]FileColumn, len(f.Columns))
	ok := true
	for i, c := range f.Columns {
		w, found := want[c.Name]
		if !found {
			return nil, false, fmt.Errorf("staged file %s has a column %q the commit's columns do not", f.Path, c.Name)
		}
		cols[i] = w
		if !slices.Equal(c.fieldIDs(), w.fieldIDs()) || !readableAs(c.Type, w.Type) {
			ok = false
		}
	}
	return cols, ok, nil
}

// readableAs reports whether values written as one type read as another by
// a cast that loses nothing.
func readableAs(file, lake connectors.Type) bool {
	t, ok := widen(file, lake)
	return ok && sameType(t, lake)
}
