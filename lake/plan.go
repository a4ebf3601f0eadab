package lake

import (
	"fmt"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// FileColumn is a column of a staged Parquet file: its name, the lake type
// it was written as, the Parquet field id (the lake's column_id) and, for a
// list, its element.
type FileColumn struct {
	Name    string          `json:"name"`
	Type    connectors.Type `json:"type"`
	FieldID int64           `json:"field_id"`
	Elem    *FileColumn     `json:"elem,omitempty"`
}

// fieldIDs returns the ids of a column and its nested elements.
func (c FileColumn) fieldIDs() []int64 {
	ids := []int64{c.FieldID}
	if c.Elem != nil {
		ids = append(ids, c.Elem.fieldIDs()...)
	}
	return ids
}

// listElement is the name DuckDB and DuckLake give a list's child column.
const listElement = "element"

// columnPlan is how a commit's source columns land in a lake table: the
// columns files are written with, which lake columns are new or widened,
// and the highest column id in use afterwards.
type columnPlan struct {
	Files   []FileColumn
	Added   []FileColumn
	Widened []FileColumn
	MaxID   int64
}

// planColumns matches source columns to a table's current columns by name:
// a known column keeps its id and widens its type if needed, a new column
// takes the next ids (depth first, like the ducklake extension), and a lake
// column the source no longer has stays in the lake. maxID is the highest
// column id the table ever used, so ids are never reused. table may be nil.
func planColumns(tableName string, table *lakeTable, maxID int64, src []connectors.Column) (columnPlan, error) {
	plan := columnPlan{MaxID: maxID}
	if err := checkColumnNames(src); err != nil {
		return plan, err
	}
	byName := map[string]*lakeColumn{}
	if table != nil {
		for _, c := range table.Columns {
			byName[c.Name] = c
		}
	}
	for _, sc := range src {
		if cur := byName[sc.Name]; cur != nil {
			t, ok := widen(cur.Type, sc.Type)
			if !ok {
				return plan, &SchemaChangeError{Table: tableName, Column: sc.Name, OldType: cur.Type, NewType: lakeType(sc.Type)}
			}
			fc := existingFileColumn(cur, t, &plan.MaxID)
			if !sameType(t, cur.Type) {
				plan.Widened = append(plan.Widened, fc)
			}
			plan.Files = append(plan.Files, fc)
			continue
		}
		fc := newFileColumn(sc.Name, lakeType(sc.Type), &plan.MaxID)
		plan.Added = append(plan.Added, fc)
		plan.Files = append(plan.Files, fc)
	}
	return plan, nil
}

// newFileColumn assigns the next ids to a column and its element.
func newFileColumn(name string, t connectors.Type, maxID *int64) FileColumn {
	*maxID++
	fc := FileColumn{Name: name, Type: t, FieldID: *maxID}
	if t.Kind == connectors.KindArray {
		elem := newFileColumn(listElement, *t.Elem, maxID)
		fc.Elem = &elem
	}
	return fc
}

// existingFileColumn keeps a lake column's ids with a (possibly widened)
// type; an element that did not exist before gets a new id.
func existingFileColumn(cur *lakeColumn, t connectors.Type, maxID *int64) FileColumn {
	fc := FileColumn{Name: cur.Name, Type: t, FieldID: cur.ID}
	if t.Kind != connectors.KindArray {
		return fc
	}
	if len(cur.Children) == 0 {
		elem := newFileColumn(listElement, *t.Elem, maxID)
		fc.Elem = &elem
		return fc
	}
	elem := existingFileColumn(cur.Children[0], *t.Elem, maxID)
	fc.Elem = &elem
	return fc
}

// checkColumnNames refuses names DuckDB could not tell apart.
func checkColumnNames(cols []connectors.Column) error {
	if len(cols) == 0 {
		return fmt.Errorf("a lake table needs at least one column")
	}
	seen := map[string]string{}
	for _, c := range cols {
		if c.Name == "" {
			return fmt.Errorf("a column has an empty name")
		}
		key := strings.ToLower(c.Name)
		if other, dup := seen[key]; dup {
			return fmt.Errorf("columns %q and %q differ only in case, which DuckDB cannot tell apart", other, c.Name)
		}
		seen[key] = c.Name
	}
	return nil
}

// fieldIDsClause renders the FIELD_IDS option of DuckDB's Parquet writer.
func fieldIDsClause(cols []FileColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = quoteString(c.Name) + ": " + fieldIDValue(c)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func fieldIDValue(c FileColumn) string {
	if c.Elem == nil {
		return fmt.Sprint(c.FieldID)
	}
	return fmt.Sprintf("{__duckdb_field_id: %d, %s: %s}", c.FieldID, quoteString(c.Elem.Name), fieldIDValue(*c.Elem))
}

// readSchemaClause renders read_parquet's schema parameter, which maps field
// ids to the names and types a reader wants; absent ids read as NULL.
func readSchemaClause(cols []schemaColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%d: {name: %s, type: %s, default_value: NULL}", c.ID, quoteString(c.Name), quoteString(readType(c.Type)))
	}
	return "MAP {" + strings.Join(parts, ", ") + "}"
}

// schemaColumn is a top-level column a reader selects by field id.
type schemaColumn struct {
	ID   int64
	Name string
	Type connectors.Type
}
