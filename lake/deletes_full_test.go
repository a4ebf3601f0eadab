package lake

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// mergeRows merges the rows of ids (name suffixed by version) into s.<table>
// and returns the merge's snapshot.
func mergeRows(f *fixture, table string, ids []int, version string) int64 {
	f.t.Helper()
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{int64(id), fmt.Sprintf("n%d%s", id, version), `{"a": 1}`}
	}
	return f.load("s", table, deleteCols, rows, LoadMerge, "id").SnapshotID
}

func TestDeleteAfterFullMergeHard(t *testing.T) {
	f := newFixture(t)
	mergeRows(f, "t", except(100), "")
	snap := mergeRows(f, "t", except(100, 3, 50, 51, 99), "v2")
	res, err := f.lake.DeleteMissing(f.ctx, DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteHard, AfterFullMerge: snap})
	if err != nil || res.Deleted != 4 {
		t.Fatalf("delete after full merge: %+v %v", res, err)
	}
	if got := f.one("SELECT count(*) || ' ' || count(*) FILTER (WHERE name LIKE '%v2') FROM s.t"); got != "96 96" {
		t.Fatalf("rows, rows of the merge: %v", got)
	}
	if n := f.one("SELECT count(*) FROM s.t WHERE id IN (3, 50, 51, 99)"); n != int64(0) {
		t.Fatalf("deleted rows still there: %v", n)
	}
}

func TestDeleteAfterFullMergeSoftMarksOnceAndMergeRestores(t *testing.T) {
	f := newFixture(t)
	mergeRows(f, "t", except(100), "")
	req := DeleteRequest{Schema: "s", Table: "t", PrimaryKeys: []string{"id"}, Mode: DeleteSoft}
	req.AfterFullMerge = mergeRows(f, "t", except(100, 7, 70), "v2")
	if res, err := f.lake.DeleteMissing(f.ctx, req); err != nil || res.Deleted != 2 {
		t.Fatalf("first detection: %+v %v", res, err)
	}
	// 7 comes back, 8 goes, 70 stays gone (already marked: not again).
	req.AfterFullMerge = mergeRows(f, "t", except(100, 8, 70), "v3")
	if res, err := f.lake.DeleteMissing(f.ctx, req); err != nil || res.Deleted != 1 {
		t.Fatalf("second detection: %+v %v", res, err)
	}
	if got := f.one("SELECT string_agg(id::VARCHAR || name, ',' ORDER BY id) FROM s.t WHERE _sluice_deleted_at IS NOT NULL"); got != "8n8v2,70n70" {
		t.Fatalf("marked rows: %v", got)
	}
	if got := f.one("SELECT count(*) || '/' || count(DISTINCT id) || ' ' || max(name) FILTER (WHERE id = 7) FROM s.t"); got != "100/100 n7v3" {
		t.Fatalf("rows/keys, row 7: %v", got)
	}
}

// The rows a full merge leaves behind are the rows whose key the source no
// longer has: detection after it must change exactly what comparing the
// source's keys changes, over random histories of inserts, deletes and
// comebacks, soft and hard.
func TestDeleteAfterFullMergeAgreesWithKeyComparison(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(11, 17))
	for _, mode := range []DeleteMode{DeleteSoft, DeleteHard} {
		source := except(60)
		for round := range 6 {
			var next []int
			for id := 1; id <= 80; id++ {
				present := slices.Contains(source, id)
				if (present && rng.IntN(5) > 0) || (!present && rng.IntN(4) == 0) {
					next = append(next, id)
				}
			}
			source = next
			version := fmt.Sprintf("r%d", round)
			var results []DeleteResult
			for _, table := range []string{"keys_" + string(mode), "full_" + string(mode)} {
				snap := mergeRows(f, table, source, version)
				req := DeleteRequest{Schema: "s", Table: table, PrimaryKeys: []string{"id"}, Mode: mode}
				if table[0] == 'k' {
					var krows [][]any
					for _, id := range source {
						krows = append(krows, []any{int64(id)})
					}
					req.SourceKeys = f.stage("s", table, deleteCols[:1], krows)
				} else {
					req.AfterFullMerge = snap
				}
				res, err := f.lake.DeleteMissing(f.ctx, req)
				if err != nil {
					t.Fatalf("%s round %d: %v", table, round, err)
				}
				results = append(results, res)
			}
			state := func(table string) any {
				cols := "id::VARCHAR || name"
				if mode == DeleteSoft {
					cols += " || (_sluice_deleted_at IS NULL)::VARCHAR"
				}
				return f.one(fmt.Sprintf("SELECT string_agg(%s, ',' ORDER BY id) FROM s.%s", cols, table))
			}
			if a, b := state("keys_"+string(mode)), state("full_"+string(mode)); a != b {
				t.Fatalf("%s round %d: by key comparison %v\nafter the full merge  %v", mode, round, a, b)
			}
			if results[0].Deleted != results[1].Deleted {
				t.Fatalf("%s round %d: deleted %d by key comparison, %d after the full merge", mode, round, results[0].Deleted, results[1].Deleted)
			}
		}
	}
}
