package lake

import (
	"fmt"
	"math"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// viewSQL is the query a table reads as at one snapshot: its live data files
// read by field id (files written before a column existed read it as NULL,
// files written before a type was widened are cast), minus the rows their
// delete files name.
func (l *Lake) viewSQL(t *lakeTable, files []*dataFile) (string, error) {
	cols := make([]schemaColumn, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = schemaColumn{ID: c.ID, Name: c.Name, Type: c.Type}
	}
	if len(files) == 0 {
		return "SELECT " + strings.Join(mapCols(cols, func(c schemaColumn) string {
			return fmt.Sprintf("CAST(NULL AS %s) AS %s", duckdbType(c.Type), quoteIdent(c.Name))
		}), ", ") + " LIMIT 0", nil
	}
	reserved := false
	for _, c := range cols {
		reserved = reserved || strings.EqualFold(c.Name, "file_row_number")
	}
	schema := readSchemaClause(cols)
	sel := strings.Join(mapCols(cols, func(c schemaColumn) string {
		if c.Type.Kind == connectors.KindJSON {
			return fmt.Sprintf("CAST(t.%s AS JSON) AS %[1]s", quoteIdent(c.Name))
		}
		return "t." + quoteIdent(c.Name)
	}), ", ")
	var clean []string
	var parts []string
	for _, f := range files {
		if f.Inlined != nil { // rows another DuckLake client inlined into the catalog
			parts = append(parts, fmt.Sprintf("SELECT %s FROM (%s) AS t", sel, f.Inlined.selectSQL(cols)))
			continue
		}
		path := quoteString(l.filePath(t, f.Path, f.Relative))
		if f.Delete == nil {
			clean = append(clean, path)
			continue
		}
		if reserved {
			// DuckDB cannot number the rows of a file with a column of that name.
			return "", fmt.Errorf("table %s.%s has deleted rows and a column named file_row_number, which sluice's reader cannot read yet", t.Schema.Name, t.Name)
		}
		parts = append(parts, deletedRowsFilter(sel, path, schema, l.deletedPositions(t, f.Delete), f.Records))
	}
	if len(clean) > 0 {
		parts = append(parts, fmt.Sprintf("SELECT %s FROM read_parquet([%s], schema = %s) AS t", sel, strings.Join(clean, ", "), schema))
	}
	return strings.Join(parts, "\nUNION ALL\n"), nil
}

// deletedRowsFilter reads a data file without its deleted rows. The deleted
// positions become one bitmap (a scalar subquery, read once) that each row
// looks up by position. An ANTI JOIN per file pinned about 3 MiB of hash
// table per join until the query's end, so a query naming a table with
// delete files 160 times ran out of DuckDB's 512 MB; the bitmap is
// records/8 bytes and was also faster on 5M rows.
func deletedRowsFilter(sel, path, schema, deleted string, records int64) string {
	if records <= 0 || records > math.MaxInt32 {
		return fmt.Sprintf("SELECT %s FROM read_parquet(%s, schema = %s, file_row_number = true) AS t ANTI JOIN %s AS d ON t.file_row_number = d.pos",
			sel, path, schema, deleted)
	}
	return fmt.Sprintf("SELECT %s FROM read_parquet(%s, schema = %s, file_row_number = true) AS t "+
		"WHERE t.file_row_number >= %d OR get_bit((SELECT coalesce(bitstring_agg(d.pos, 0, %[4]d - 1), bitstring('', %[4]d)) "+
		"FROM %s AS d WHERE d.pos < %[4]d), t.file_row_number::INTEGER) = 0",
		sel, path, schema, records, deleted)
}

func mapCols(cols []schemaColumn, f func(schemaColumn) string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = f(c)
	}
	return out
}
