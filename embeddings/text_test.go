package embeddings

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

func TestWords(t *testing.T) {
	cases := map[string]string{
		"cust_email":              "customer email",
		"orderTotalAmt":           "order total amount",
		"HTTPServerLogs2024":      "http server log 2024",
		"qty_on_hand":             "quantity hand",
		"product_categories":      "product category",
		"How many orders shipped": "order shipped",
		"mrr_amt":                 "monthly recurring revenue amount",
	}
	for in, want := range cases {
		if got := strings.Join(Words(in), " "); got != want {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Readable("cust_email"); got != "customer email" {
		t.Errorf("Readable = %q", got)
	}
}

func TestBuiltinIsDeterministicAndNormalized(t *testing.T) {
	a, _ := Builtin{}.Embed(context.Background(), []string{"customer orders by month", ""})
	b, _ := Builtin{}.Embed(context.Background(), []string{"customer orders by month"})
	var norm float64
	for i := range a[0] {
		if a[0][i] != b[0][i] {
			t.Fatal("the same text embedded twice differs")
		}
		norm += float64(a[0][i]) * float64(a[0][i])
	}
	if math.Abs(norm-1) > 1e-6 {
		t.Fatalf("norm = %f, want 1", norm)
	}
	if len(a[1]) != BuiltinDimensions {
		t.Fatalf("empty text: %d dimensions", len(a[1]))
	}
}

// TestDocumentsHoldNoRowValues checks what is embedded: schema text only.
func TestDocumentsHoldNoRowValues(t *testing.T) {
	s := TableSchema{
		Table:   connectors.Table{Schema: "crm", Name: "cust_accounts", Kind: connectors.TableKindTable, Comment: "Paying customers"},
		Columns: []connectors.Column{{Name: "cust_email", SourceType: "text", Type: connectors.Scalar(connectors.KindString), PrimaryKey: true}},
	}
	doc := TableDocument(s)
	for _, want := range []string{"crm.cust_accounts", "customer accounts", "Paying customers", "cust_email (customer email) string primary key"} {
		if !strings.Contains(doc, want) {
			t.Errorf("table document %q lacks %q", doc, want)
		}
	}
	if col := ColumnDocument(s.Table, s.Columns[0]); !strings.Contains(col, "column cust_email (customer email) of table crm.cust_accounts") {
		t.Errorf("column document = %q", col)
	}
	if h1, h2 := TableListHash([]connectors.Table{s.Table, {Schema: "a", Name: "b"}}), TableListHash([]connectors.Table{{Schema: "a", Name: "b"}, s.Table}); string(h1) != string(h2) {
		t.Error("the table-list hash depends on order")
	}
	v := []float32{1.5, -2, 0}
	back, err := DecodeVector(EncodeVector(v))
	if err != nil || back[0] != 1.5 || back[1] != -2 {
		t.Fatalf("vector round trip: %v %v", back, err)
	}
}

// TestRankFindsTheTableFirst checks the done-when criterion on the fixture:
// a plain-words question ranks its table first.
func TestRankFindsTheTableFirst(t *testing.T) {
	schemas, _ := loadFixture(t)
	entries := entriesFor(t, Builtin{}, schemas)
	q := Builtin{}.Vector("Which invoices are overdue?")
	tables, columns := Rank(q, entries, 5)
	if len(tables) != 5 || tables[0].Table != "invoices" || tables[0].Score <= tables[1].Score {
		t.Fatalf("tables = %+v", tables)
	}
	if len(columns) != 5 || len(tables[0].Columns) == 0 {
		t.Fatalf("columns = %+v, matching = %+v", columns, tables[0].Columns)
	}
}
