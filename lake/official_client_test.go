package lake

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestOfficialClientReadsLake writes a lake through sluice's write path
// (append, overwrite, merges with updates, deletes on top of deletes, schema
// widening, every type sluice stores, non-finite floats, negative intervals,
// NULLs, unicode), then lets DuckDB's own ducklake extension read a copy of
// its catalog: every table at every snapshot must read with the same rows
// and types as sluice answers there, row counts must match the source's, and
// ducklake_table_changes must count each range's inserts and deletes.
func TestOfficialClientReadsLake(t *testing.T) {
	cli := officialCLI(t)
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 120 // several files per load, so deletes spread
	m := newChangeModel()
	w := officialWorkload{f: f, m: m}
	w.run()

	o := newOfficialLake(t, f, cli)
	snaps, err := f.lake.Snapshots(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := f.lake.loadTables(f.ctx, f.pool, snaps[len(snaps)-1].ID)
	if err != nil {
		t.Fatal(err)
	}
	var checks []*officialCheck
	for i, s := range snaps[1:] {
		tables, err := f.lake.loadTables(f.ctx, f.pool, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range tables {
			checks = append(checks, readChecks(s.ID, tb, m)...)
			if i%4 == 0 || i == len(snaps)-2 {
				checks = append(checks, f.boundChecks(s.ID, tb, findTable(latest, tb.Schema.Name, tb.Name))...)
			}
		}
	}
	checks = append(checks, m.changeChecks(snaps[len(snaps)-1].ID)...)
	queries := make([]*officialQuery, len(checks))
	for i, c := range checks {
		queries[i] = &officialQuery{sql: c.official}
	}
	o.batch(queries)
	failed, known := 0, 0
	for i, c := range checks {
		want := c.want
		if want == nil {
			want = f.sluiceRows(c.sluice, c.snapshot)
		}
		got := queries[i].rows
		switch {
		case sameRows(got, want):
		case c.known != "":
			known++
			t.Logf("known difference (%s) in %s:\n official client: %s\n source:          %s", c.known, c.name, showRows(got), showRows(want))
		default:
			failed++
			t.Errorf("%s:\n official client: %s\n want:            %s", c.name, showRows(got), showRows(want))
		}
	}
	t.Logf("%d checks of the official client against sluice and the source: %d differ, %d known differences", len(checks), failed, known)
}

// officialCheck is one read the official client must answer like sluice
// (sluice set) or like the source (want set) at a snapshot.
type officialCheck struct {
	name     string
	snapshot int64
	official string
	sluice   string
	want     [][]*string
	// known, when set, names a difference lake/README.md records, which
	// the check logs instead of failing on.
	known string
}

// readChecks compares a table's types, rows, count and a pruned count at a
// snapshot; the counts are also the source's.
func readChecks(snap int64, tb *lakeTable, m *changeModel) []*officialCheck {
	name := quoteIdent(tb.Schema.Name) + "." + quoteIdent(tb.Name)
	official := fmt.Sprintf("lake.%s AT (VERSION => %d)", name, snap)
	var casts, types []string
	for i, c := range tb.Columns {
		casts = append(casts, fmt.Sprintf("CAST(%s AS VARCHAR) AS c%d", quoteIdent(c.Name), i))
		types = append(types, fmt.Sprintf("typeof(%s) AS c%d", quoteIdent(c.Name), i))
	}
	label := fmt.Sprintf("%s at snapshot %d", name, snap)
	both := func(what, sql string) *officialCheck {
		return &officialCheck{name: label + ": " + what, snapshot: snap,
			official: fmt.Sprintf(sql, official), sluice: fmt.Sprintf(sql, name)}
	}
	out := []*officialCheck{
		both("types", "SELECT "+strings.Join(types, ", ")+" FROM (SELECT 1) AS one LEFT JOIN (SELECT * FROM %s LIMIT 1) AS t ON true"),
		both("rows", "SELECT "+strings.Join(casts, ", ")+" FROM %s ORDER BY ALL"),
	}
	// Table-wide statistics prune files: a filter must not lose rows.
	count := &officialCheck{name: label + ": count, id sum, rows with id <= 100", snapshot: snap,
		official: fmt.Sprintf(`SELECT CAST(count(*) AS VARCHAR) AS c0, CAST(sum(id) AS VARCHAR) AS c1,
			(SELECT CAST(count(*) AS VARCHAR) FROM %[1]s WHERE id <= 100) AS c2 FROM %[1]s`, official)}
	st, ok := m.at(tb.Schema.Name+"."+tb.Name, snap)
	if !ok {
		return out
	}
	count.want = [][]*string{{textPtr(fmt.Sprint(st.count)), nullIfZero(st.count, fmt.Sprint(st.sum)), textPtr(fmt.Sprint(st.low))}}
	return append(out, count)
}

func textPtr(s string) *string { return &s }

func nullIfZero(n int64, s string) *string {
	if n == 0 {
		return nil
	}
	return &s
}

// sluiceRows runs a check's query on sluice's own reader at its snapshot.
func (f *fixture) sluiceRows(sql string, snap int64) [][]*string {
	f.t.Helper()
	res := f.query(sql, QueryOptions{Snapshot: &snap})
	out := make([][]*string, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = make([]*string, len(r))
		for j, v := range r {
			if v != nil {
				out[i][j] = textPtr(fmt.Sprint(v))
			}
		}
	}
	return out
}

func sameRows(a, b [][]*string) bool {
	return showRows(a) == showRows(b)
}

func showRows(rows [][]*string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("[")
		for j, v := range r {
			if j > 0 {
				b.WriteString(" | ")
			}
			if v == nil {
				b.WriteString("NULL")
			} else {
				fmt.Fprintf(&b, "%q", *v)
			}
		}
		b.WriteString("] ")
	}
	if len(rows) == 0 {
		return "(no rows)"
	}
	return b.String()
}

// changeModel is the source's side: the keys live in each table after each
// snapshot and the rows each snapshot inserted and deleted.
type changeModel struct {
	live    map[string]map[int64]int
	history map[string]map[int64]modelState
	changes map[string]map[int64][2]int64 // snapshot -> inserted, deleted
	// compactions are the snapshots that compacted a table: no change to
	// its rows, but see changeChecks.
	compactions map[string][]int64
}

// modelState is a table's row count, id sum and rows with id <= 100.
type modelState struct{ count, sum, low int64 }

func newChangeModel() *changeModel {
	return &changeModel{live: map[string]map[int64]int{}, history: map[string]map[int64]modelState{}, changes: map[string]map[int64][2]int64{},
		compactions: map[string][]int64{}}
}

// commit records what a load did to a table at a snapshot.
func (m *changeModel) commit(table string, snap int64, method LoadMethod, ids []int64) {
	live := m.live[table]
	if live == nil || method == LoadOverwrite {
		var deleted int64
		for _, n := range live {
			deleted += int64(n)
		}
		live = map[int64]int{}
		m.live[table] = live
		m.record(table, snap, 0, deleted)
	}
	var deleted int64
	for _, id := range ids {
		if method == LoadMerge {
			deleted += int64(live[id])
			live[id] = 0
		}
		live[id]++
	}
	m.record(table, snap, int64(len(ids)), deleted)
	var st modelState
	for id, n := range live {
		st.count += int64(n)
		st.sum += id * int64(n)
		if id <= 100 {
			st.low += int64(n)
		}
	}
	if m.history[table] == nil {
		m.history[table] = map[int64]modelState{}
	}
	m.history[table][snap] = st
}

// remove records a snapshot that deleted the live rows whose id gone says.
func (m *changeModel) remove(table string, snap int64, gone func(int64) bool) {
	live := m.live[table]
	var deleted int64
	for id, n := range live {
		if n > 0 && gone(id) {
			deleted += int64(n)
			delete(live, id)
		}
	}
	m.record(table, snap, 0, deleted)
	m.commit(table, snap, LoadAppend, nil)
}

func (m *changeModel) record(table string, snap, ins, del int64) {
	if m.changes[table] == nil {
		m.changes[table] = map[int64][2]int64{}
	}
	c := m.changes[table][snap]
	m.changes[table][snap] = [2]int64{c[0] + ins, c[1] + del}
}

// at returns a table's state at a snapshot.
func (m *changeModel) at(table string, snap int64) (modelState, bool) {
	h := m.history[table]
	best := int64(-1)
	for s := range h {
		if s <= snap && s > best {
			best = s
		}
	}
	if best < 0 {
		return modelState{}, false
	}
	return h[best], true
}

// changeChecks asks ducklake_table_changes for each table over every
// one-snapshot range and over wide ranges, in inserts and deletes (sluice
// gives a merged row a new row id, so an update is a delete and an insert).
func (m *changeModel) changeChecks(last int64) []*officialCheck {
	var out []*officialCheck
	names := make([]string, 0, len(m.changes))
	for n := range m.changes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		snaps := m.changes[name]
		first := last
		for s := range snaps {
			first = min(first, s)
		}
		ranges := [][2]int64{{first, last}, {first + 1, last}, {0, last}}
		for s := range snaps {
			ranges = append(ranges, [2]int64{s, s})
		}
		schema, table, _ := strings.Cut(name, ".")
		for _, r := range ranges {
			var ins, del int64
			for s, c := range snaps {
				if s >= r[0] && s <= r[1] {
					ins, del = ins+c[0], del+c[1]
				}
			}
			known := ""
			for _, s := range m.compactions[name] {
				if s >= r[0] && s <= r[1] {
					known = "compaction reads as a delete and insert of every row it moves"
				}
			}
			out = append(out, &officialCheck{
				known: known,
				name:  fmt.Sprintf("ducklake_table_changes(%s, %d, %d)", name, r[0], r[1]),
				official: fmt.Sprintf(`SELECT CAST(count(*) FILTER (WHERE change_type IN ('insert', 'update_postimage')) AS VARCHAR) AS c0,
					CAST(count(*) FILTER (WHERE change_type IN ('delete', 'update_preimage')) AS VARCHAR) AS c1
					FROM ducklake_table_changes('lake', %s, %s, %d, %d)`, quoteString(schema), quoteString(table), r[0], r[1]),
				want: [][]*string{{textPtr(fmt.Sprint(ins)), textPtr(fmt.Sprint(del))}},
			})
		}
	}
	return out
}

// officialWorkload writes the lake the official client reads.
type officialWorkload struct {
	f *fixture
	m *changeModel
}

func (w officialWorkload) load(schema, table string, cols []connectors.Column, rows [][]any, method LoadMethod, keys ...string) {
	w.f.t.Helper()
	res := w.f.load(schema, table, cols, rows, method, keys...)
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r[0].(int64)
	}
	w.m.commit(schema+"."+table, res.SnapshotID, method, ids)
}

func (w officialWorkload) run() {
	v1 := allTypeColumns(false)
	v2 := allTypeColumns(true)
	w.load("s", "t_all", v1, allTypeRows(0, 300, "a", false), LoadAppend)
	w.load("s", "t_all", v1, allTypeRows(250, 350, "b", false), LoadMerge, "id")
	w.load("s", "t_all", v1, allTypeRows(200, 280, "c", false), LoadMerge, "id") // deletes on top of deletes
	w.load("s", "t_all", v2, allTypeRows(0, 40, "d", true), LoadMerge, "id")     // ADD COLUMN, date -> timestamp
	w.load("s", "t_all", v2, allTypeRows(20, 30, "e", true), LoadMerge, "id")    // deletes only rows deleted before
	w.load("s", "t_all", v2, allTypeRows(50, 60, "g", true), LoadMerge, "id")    // a second delete file on one data file
	w.load("s", "t_all", v2, allTypeRows(60, 65, "h", true), LoadMerge, "id")    // and a third
	dims := []connectors.Column{col("id", connectors.KindInt), col("name", connectors.KindString)}
	w.load("main", "t_dims", dims, idRows(1, 101), LoadAppend)
	w.load("main", "t_dims", dims, idRows(101, 201), LoadOverwrite) // bounds must not narrow
	w.load("main", "t_dims", dims, idRows(150, 160), LoadAppend)
	w.load("s", "t_all", v2, allTypeRows(1000, 1010, "f", true), LoadAppend)

	// Delete detection (hard), a merge on top of its deletes, compaction.
	w.load("s", "t_keys", dims, idRows(0, 200), LoadAppend)
	var keys [][]any
	for i := int64(0); i < 180; i++ {
		if i%10 != 3 {
			keys = append(keys, []any{i})
		}
	}
	src := w.f.stage("s", "t_keys", dims[:1], keys)
	res, err := w.f.lake.DeleteMissing(w.f.ctx, DeleteRequest{Schema: "s", Table: "t_keys", PrimaryKeys: []string{"id"}, Mode: DeleteHard, SourceKeys: src})
	if err != nil {
		w.f.t.Fatalf("delete missing: %v", err)
	}
	w.m.remove("s.t_keys", res.SnapshotID, func(id int64) bool { return id >= 180 || id%10 == 3 })
	w.load("s", "t_keys", dims, idRows(100, 110), LoadMerge, "id")
	comp, err := w.f.lake.CompactTable(w.f.ctx, "s", "t_keys", CompactOptions{})
	if err != nil {
		w.f.t.Fatalf("compact: %v", err)
	}
	w.m.remove("s.t_keys", comp.SnapshotID, func(int64) bool { return false })
	w.m.compactions["s.t_keys"] = append(w.m.compactions["s.t_keys"], comp.SnapshotID)
	w.load("s", "t_keys", dims, idRows(105, 115), LoadMerge, "id")
}

func idRows(from, to int64) [][]any {
	var out [][]any
	for i := from; i < to; i++ {
		out = append(out, []any{i, fmt.Sprintf("name %d ✓", i)})
	}
	return out
}

// allTypeColumns are the columns of a table with every type sluice stores;
// widened adds a column and widens c_when from date to timestamp.
func allTypeColumns(widened bool) []connectors.Column {
	when := col("c_when", connectors.KindDate)
	if widened {
		when = col("c_when", connectors.KindTimestamp)
	}
	cols := []connectors.Column{
		col("id", connectors.KindInt), decimalCol("c_dec", 18, 4), decimalCol("c_wide", 38, 10),
		col("c_float", connectors.KindFloat), col("c_bool", connectors.KindBool), col("c_text", connectors.KindString),
		col("c_blob", connectors.KindBytes), when, col("c_ts", connectors.KindTimestamp),
		col("c_tstz", connectors.KindTimestampTZ), col("c_time", connectors.KindTime), col("c_iv", connectors.KindInterval),
		col("c_uuid", connectors.KindUUID), col("c_json", connectors.KindJSON),
		{Name: "c_ints", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInt))},
		{Name: "c_texts", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindString))},
		{Name: "c_ivs", Type: connectors.ArrayOf(connectors.Scalar(connectors.KindInterval))},
	}
	if widened {
		cols = append(cols, col("c_new", connectors.KindString))
	}
	return cols
}

// allTypeRows generates rows from..to-1 of allTypeColumns: every seventh
// row is NULL but for its id, floats cycle through non-finite values,
// intervals through negative ones.
func allTypeRows(from, to int64, tag string, widened bool) [][]any {
	floats := []float64{1.5, -2.25, 0, math.Inf(1), math.Inf(-1), math.NaN(), 1e300}
	intervals := []string{"P1Y2M3DT4H5M6.5S", "P-1D", "PT-2H-30M", "P-1Y-2M-3DT-4H-5M-6.000001S", "PT0.000001S", "P3W"}
	base := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	var out [][]any
	for i := from; i < to; i++ {
		n := int(i)
		var when any = base.AddDate(0, 0, n).Format("2006-01-02")
		if widened {
			when = base.Add(time.Duration(n) * time.Hour)
		}
		r := []any{i, fmt.Sprintf("%d.%04d", n-150, n%10000), fmt.Sprintf("-%d12345678901234567890.0123456789", n),
			floats[n%len(floats)], n%2 == 0, fmt.Sprintf("%s %d: ünïcødé 名前 🙂, \"quoted\"\nline", tag, n),
			[]byte{0, byte(n), 0xff, '\\'}, when, base.Add(time.Duration(-n) * 36 * time.Hour),
			base.Add(time.Duration(n) * 1500 * time.Millisecond).In(time.FixedZone("x", 5*3600)),
			fmt.Sprintf("%02d:%02d:%02d.%06d", n%24, n%60, (n*7)%60, n*13%1000000), intervals[n%len(intervals)],
			fmt.Sprintf("0190a0b0-0000-7000-8000-%012d", n), fmt.Sprintf(`{"n": %d, "tag": %q, "list": [1, null]}`, n, tag),
			[]any{int64(n), nil, int64(-n)}, []any{"a", tag, nil}, []any{intervals[(n+1)%len(intervals)], nil},
		}
		if n%11 == 3 {
			r[14], r[15], r[16] = []any{}, []any{}, []any{}
		}
		if widened {
			r = append(r, tag+" new")
		}
		if n%7 == 0 {
			for j := 1; j < len(r); j++ {
				r[j] = nil
			}
		}
		out = append(out, r)
	}
	return out
}
