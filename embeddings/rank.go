package embeddings

import (
	"sort"
)

// Entry is a stored vector: of a table (Column empty) or of one column.
type Entry struct {
	Schema string
	Table  string
	Column string
	Vector []float32
}

// TableHit is a ranked table with the columns that matched it best.
type TableHit struct {
	Schema  string      `json:"schema"`
	Table   string      `json:"table"`
	Score   float64     `json:"score"`
	Columns []ColumnHit `json:"matching_columns"`
}

// ColumnHit is a ranked column.
type ColumnHit struct {
	Schema string  `json:"schema"`
	Table  string  `json:"table"`
	Column string  `json:"column"`
	Score  float64 `json:"score"`
}

// columnShare is how much a table's best-matching column adds to its own
// score: a question often names a column ("email") more than its table.
const columnShare = 0.35

// columnsPerTable is how many matching columns a table hit lists.
const columnsPerTable = 3

// Rank scores every table and column against the query vector (cosine
// similarity; vectors are normalized) and returns the k best tables and k
// best columns. Ties are broken by name, so the order is deterministic.
func Rank(query []float32, entries []Entry, k int) ([]TableHit, []ColumnHit) {
	type key struct{ schema, table string }
	tables := map[key]*TableHit{}
	byTable := map[key][]ColumnHit{}
	var columns []ColumnHit
	for _, e := range entries {
		if len(e.Vector) != len(query) {
			continue
		}
		score := dot(query, e.Vector)
		k := key{e.Schema, e.Table}
		if e.Column == "" {
			tables[k] = &TableHit{Schema: e.Schema, Table: e.Table, Score: score}
			continue
		}
		hit := ColumnHit{Schema: e.Schema, Table: e.Table, Column: e.Column, Score: score}
		columns = append(columns, hit)
		byTable[k] = append(byTable[k], hit)
	}
	out := make([]TableHit, 0, len(tables))
	for k, t := range tables {
		cols := byTable[k]
		sortColumns(cols)
		if len(cols) > 0 && cols[0].Score > 0 {
			t.Score = (1-columnShare)*t.Score + columnShare*cols[0].Score
		} else {
			t.Score = (1 - columnShare) * t.Score
		}
		t.Columns = cols[:min(columnsPerTable, len(cols))]
		if t.Columns == nil {
			t.Columns = []ColumnHit{}
		}
		out = append(out, *t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Table < out[j].Table
	})
	sortColumns(columns)
	return out[:min(k, len(out))], columns[:min(k, len(columns))]
}

func sortColumns(cols []ColumnHit) {
	sort.Slice(cols, func(i, j int) bool {
		a, b := cols[i], cols[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		if a.Schema+"."+a.Table != b.Schema+"."+b.Table {
			return a.Schema+"."+a.Table < b.Schema+"."+b.Table
		}
		return a.Column < b.Column
	})
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
