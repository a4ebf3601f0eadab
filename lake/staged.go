package lake

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/uuid"

	"github.com/sluice-dev/sluice/connectors"
)

// StagedFile is a Parquet file written under the lake's data path that no
// snapshot references yet. It carries everything Commit records about it,
// so it can be committed by another process (e.g. after a worker restart).
type StagedFile struct {
	// Path is the file's absolute path in the data directory of the
	// process that wrote it.
	Path string `json:"path"`
	// Key is the file's key in the lake's storage, set once it is uploaded
	// (on object storage): another process commits the file by it.
	Key        string `json:"key,omitempty"`
	Rows       int64  `json:"rows"`
	SizeBytes  int64  `json:"size_bytes"`
	FooterSize int64  `json:"footer_size"`
	// Columns are the file's columns with their field ids, in file order.
	Columns []FileColumn `json:"columns"`
	// Stats are per leaf column (field id), as DuckDB's writer computed them.
	Stats []ColumnStats `json:"stats"`
	// KeyColumns, when set, are columns by which the file's rows strictly
	// ascend, from FirstKey to LastKey (ints in decimal, strings as they
	// are): the writer saw it (TableWriter.TrackKeyOrder), so a merge knows
	// the file repeats no key without reading it.
	KeyColumns []string `json:"key_columns,omitempty"`
	FirstKey   []string `json:"first_key,omitempty"`
	LastKey    []string `json:"last_key,omitempty"`
}

// ColumnStats are one file's statistics for one leaf column.
type ColumnStats struct {
	FieldID   int64   `json:"field_id"`
	Min       *string `json:"min,omitempty"`
	Max       *string `json:"max,omitempty"`
	NullCount *int64  `json:"null_count,omitempty"`
	// ValueCount is the non-NULL values: set for list elements, whose
	// count is not the file's rows minus NULLs (see countListLeaves).
	ValueCount  *int64 `json:"value_count,omitempty"`
	SizeBytes   *int64 `json:"size_bytes,omitempty"`
	ContainsNaN *bool  `json:"contains_nan,omitempty"`
}

// newFilePath names a new data file in a directory the way the ducklake
// extension does.
func newFilePath(dir, suffix string) string {
	return filepath.Join(dir, "ducklake-"+uuid.Must(uuid.NewV7()).String()+suffix+".parquet")
}

// writeStaged writes a query's rows to a new Parquet file with the given
// columns' field ids, in the table's file format, and returns it as a
// staged file.
func (d *duck) writeStaged(ctx context.Context, query, dir string, cols []FileColumn, format fileFormat) (StagedFile, error) {
	return d.writeStagedOrder(ctx, query, dir, cols, true, format)
}

// writeStagedOrder is writeStaged, keeping the query's row order in the
// file or, when that order does not matter, writing the rows in any order
// (DuckDB then writes row groups as its threads finish them: about a
// quarter less CPU for a copy's files).
func (d *duck) writeStagedOrder(ctx context.Context, query, dir string, cols []FileColumn, preserveOrder bool, format fileFormat) (StagedFile, error) {
	path := newFilePath(dir, "")
	res, err := d.copyToParquet(ctx, encodeValues(query, cols), path, fieldIDsClause(cols), preserveOrder, format)
	if err != nil {
		_ = os.Remove(path) // what an interrupted or failed write left
		return StagedFile{}, err
	}
	f := StagedFile{Path: path, Rows: res.Rows, SizeBytes: res.Size, FooterSize: res.FooterSize, Columns: cols}
	for _, c := range cols {
		f.Stats = appendLeafStats(f.Stats, res.Stats, nil, c)
	}
	if f.Stats, err = d.countListLeaves(ctx, path, cols, f.Stats); err != nil {
		_ = os.Remove(path)
		return StagedFile{}, err
	}
	return f, nil
}

// appendLeafStats collects the statistics of a column's leaves.
func appendLeafStats(out []ColumnStats, stats map[string]map[string]string, parent []string, c FileColumn) []ColumnStats {
	path := append(append([]string{}, parent...), c.Name)
	if c.Elem != nil {
		return appendLeafStats(out, stats, path, *c.Elem)
	}
	s, ok := stats[statsKey(path...)]
	if !ok {
		return out
	}
	cs := ColumnStats{FieldID: c.FieldID}
	if v, ok := s["min"]; ok {
		cs.Min = &v
	}
	if v, ok := s["max"]; ok {
		cs.Max = &v
	}
	if v, err := strconv.ParseInt(s["null_count"], 10, 64); err == nil {
		cs.NullCount = &v
	}
	if v, err := strconv.ParseInt(s["column_size_bytes"], 10, 64); err == nil {
		cs.SizeBytes = &v
	}
	if v, ok := s["has_nan"]; ok {
		nan := v == "true"
		cs.ContainsNaN = &nan
	}
	if c.Type.Kind == connectors.KindBytes || c.Type.Kind == connectors.KindInterval {
		// DuckDB reports BLOB bounds in its own escaped text; the ducklake
		// extension never prunes on BLOBs, so sluice does not record them.
		// Intervals are written as text (encodeValues), whose order is
		// not theirs.
		cs.Min, cs.Max = nil, nil
	}
	return append(out, cs)
}

// selectList renders the SELECT list that writes columns with their names.
func selectList(cols []FileColumn, expr func(i int, c FileColumn) string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s AS %s", expr(i, c), quoteIdent(c.Name))
	}
	return out
}
