package embeddings

import (
	"fmt"
	"testing"
)

// minRecall is the builtin provider's floor on the fixture; the benchmark
// reports the measured figure.
const minRecall = 0.8

// TestBuiltinRecall guards the builtin provider's quality on the fixture:
// recall@5 at least minRecall.
func TestBuiltinRecall(t *testing.T) {
	recall, notFirst := recallAt(t, Builtin{}, 5)
	for _, q := range notFirst {
		t.Logf("not ranked first: %s", q)
	}
	if recall < minRecall {
		t.Fatalf("recall@5 = %.3f, want at least %.2f", recall, minRecall)
	}
}

// BenchmarkBuiltinRecallAt5 prints the builtin provider's recall@5 on the
// fixture's 30 questions over 53 tables (make bench).
func BenchmarkBuiltinRecallAt5(b *testing.B) {
	var recall float64
	var notFirst []string
	for b.Loop() {
		recall, notFirst = recallAt(b, Builtin{}, 5)
	}
	b.ReportMetric(recall, "recall@5")
	b.ReportMetric(float64(30-len(notFirst))/30, "top1")
	// The synonym table was written alongside the fixture's questions, so the
	// figure without it is the fairer guess for an unseen schema.
	plain, plainNotFirst := recallAt(b, Builtin{noSynonyms: true}, 5)
	fmt.Printf("builtin embeddings on 30 questions over 53 tables: recall@5 = %.3f, top-1 = %d/30; without the synonym table: recall@5 = %.3f, top-1 = %d/30\n",
		recall, 30-len(notFirst), plain, 30-len(plainNotFirst))
}
