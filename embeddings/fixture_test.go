package embeddings

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// fixture is testdata/warehouse.json: a schema and questions about it.
type fixture struct {
	Tables []struct {
		Name    string   `json:"name"`
		Comment string   `json:"comment"`
		Columns []string `json:"columns"`
	} `json:"tables"`
	Questions []struct {
		Q      string   `json:"q"`
		Tables []string `json:"tables"`
	} `json:"questions"`
}

func loadFixture(t testing.TB) ([]TableSchema, fixture) {
	t.Helper()
	raw, err := os.ReadFile("testdata/warehouse.json")
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	var schemas []TableSchema
	for _, tb := range f.Tables {
		schema, name, _ := strings.Cut(tb.Name, ".")
		s := TableSchema{Table: connectors.Table{Schema: schema, Name: name, Kind: connectors.TableKindTable, Comment: tb.Comment}}
		for i, c := range tb.Columns {
			parts := strings.Fields(c)
			typ, err := connectors.ParseType(map[string]string{"int": "int", "text": "string", "numeric": "decimal",
				"timestamptz": "timestamptz", "date": "date", "boolean": "bool", "jsonb": "json"}[parts[1]])
			if err != nil {
				t.Fatalf("column %q of %s: %v", c, tb.Name, err)
			}
			s.Columns = append(s.Columns, connectors.Column{Name: parts[0], SourceType: parts[1], Type: typ,
				Ordinal: i + 1, PrimaryKey: len(parts) > 2 && parts[2] == "pk"})
		}
		schemas = append(schemas, s)
	}
	return schemas, f
}

// entriesFor embeds a schema the way the EmbedSchema activity does: one
// vector per table document and one per column document.
func entriesFor(t testing.TB, p Provider, schemas []TableSchema) []Entry {
	t.Helper()
	var docs []string
	var entries []Entry
	for _, s := range schemas {
		docs = append(docs, TableDocument(s))
		entries = append(entries, Entry{Schema: s.Table.Schema, Table: s.Table.Name})
		for _, c := range s.Columns {
			docs = append(docs, ColumnDocument(s.Table, c))
			entries = append(entries, Entry{Schema: s.Table.Schema, Table: s.Table.Name, Column: c.Name})
		}
	}
	vecs, err := p.Embed(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range entries {
		entries[i].Vector = vecs[i]
	}
	return entries
}

// recallAt returns the mean, over the fixture's questions, of the share of
// each question's expected tables found among the k best ranked, and the
// questions whose first expected table is not ranked first.
func recallAt(t testing.TB, p Provider, k int) (float64, []string) {
	schemas, f := loadFixture(t)
	entries := entriesFor(t, p, schemas)
	var total float64
	var notFirst []string
	for _, q := range f.Questions {
		vecs, err := p.Embed(context.Background(), []string{q.Q})
		if err != nil {
			t.Fatal(err)
		}
		hits, _ := Rank(vecs[0], entries, k)
		found := 0
		for _, want := range q.Tables {
			for _, h := range hits {
				if h.Schema+"."+h.Table == want {
					found++
				}
			}
		}
		total += float64(found) / float64(len(q.Tables))
		if len(hits) == 0 || !contains(q.Tables, hits[0].Schema+"."+hits[0].Table) {
			top := make([]string, len(hits))
			for i, h := range hits {
				top[i] = h.Schema + "." + h.Table
			}
			notFirst = append(notFirst, q.Q+" → "+strings.Join(top, ", "))
		}
	}
	return total / float64(len(f.Questions)), notFirst
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
