package lineage

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// trickyStrings are the cases encoding/json escapes: quotes, backslashes,
// control characters, HTML-significant characters, line and paragraph
// separators, invalid UTF-8, and plain multi-byte text.
var trickyStrings = []string{
	"", "orders", `a"b`, `back\slash`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "line\u2028para\u2029", "caf\xc3\xa9 日本", "bad\xffutf8\xc3", "\xed\xa0\x80",
	"shared_db.table_a", "emoji 🚀",
}

func randomString(rng *rand.Rand) string {
	if rng.IntN(3) == 0 {
		return trickyStrings[rng.IntN(len(trickyStrings))]
	}
	b := make([]byte, rng.IntN(12))
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return string(b)
}

func randomGraph(rng *rand.Rand) Graph {
	g := Graph{Truncated: rng.IntN(2) == 0}
	if rng.IntN(10) > 0 {
		g.Nodes = []Node{}
		g.Edges = []Edge{}
	}
	for range rng.IntN(6) {
		n := Node{ID: randomString(rng), Type: randomString(rng), Name: randomString(rng), Depth: rng.IntN(3)}
		if rng.IntN(2) == 0 {
			n.DatasetType = randomString(rng)
		} else {
			n.AppName, n.TaskName, n.TfID, n.LastTaskID = randomString(rng), randomString(rng), randomString(rng), randomString(rng)
			seen := time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("", (rng.IntN(48)-24)*1800))
			n.LastSeenAt = &seen
		}
		g.Nodes = append(g.Nodes, n)
	}
	for range rng.IntN(6) {
		e := Edge{Source: randomString(rng), Target: randomString(rng), Type: randomString(rng)}
		switch rng.IntN(3) {
		case 0:
			e.Columns = []string{}
		case 1:
			e.Columns = []string{randomString(rng), randomString(rng)}
		}
		g.Edges = append(g.Edges, e)
	}
	for range rng.IntN(4) {
		g.ColumnEdges = append(g.ColumnEdges, ColumnEdge{Transformation: randomString(rng), InputDataset: randomString(rng),
			InputColumn: randomString(rng), OutputDataset: randomString(rng), OutputColumn: randomString(rng),
			Kind: randomString(rng), Source: randomString(rng), Depth: rng.IntN(4)})
	}
	for range rng.IntN(4) {
		g.Columns = append(g.Columns, ColumnRef{Dataset: randomString(rng), Column: randomString(rng), Depth: rng.IntN(4)})
	}
	return g
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 5000; i++ {
		g := randomGraph(rng)
		want, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.JSON(); !bytes.Equal(got, want) {
			t.Fatalf("graph %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}
