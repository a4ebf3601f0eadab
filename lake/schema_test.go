package lake

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

func TestSchemaEvolution(t *testing.T) {
	f := newFixture(t)
	v1 := []connectors.Column{col("id", connectors.KindInt), col("qty", connectors.KindInt), col("note", connectors.KindString)}
	f.load("shop", "orders", v1, [][]any{{int64(1), int64(10), "first"}}, LoadAppend)

	// v2 adds "price", drops "note" and widens qty to a decimal.
	v2 := []connectors.Column{col("id", connectors.KindInt), decimalCol("qty", 10, 2), decimalCol("price", 8, 2)}
	f.load("shop", "orders", v2, [][]any{{int64(2), connectors.Decimal("2.50"), connectors.Decimal("9.99")}}, LoadAppend)

	res := f.query(`SELECT id, qty, note, price FROM shop.orders ORDER BY id`)
	want := [][]any{
		{int64(1), connectors.Decimal("10.00"), "first", nil},
		{int64(2), connectors.Decimal("2.50"), nil, connectors.Decimal("9.99")},
	}
	if !reflect.DeepEqual(res.Rows, want) {
		t.Fatalf("rows = %#v, want %#v", res.Rows, want)
	}
	cols, err := f.lake.Columns(f.ctx, connectors.TableRef{Schema: "shop", Name: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+" "+c.Type.String())
	}
	// int widened into decimal(10,2) needs 19 integer digits: decimal(21,2).
	if w := []string{"id int", "qty decimal(21,2)", "note string", "price decimal(8,2)"}; !reflect.DeepEqual(got, w) {
		t.Fatalf("columns = %v, want %v", got, w)
	}

	// Narrower source types are written as the lake's wider type.
	f.load("shop", "orders", v1, [][]any{{int64(3), int64(7), "third"}}, LoadAppend)
	if got := f.one(`SELECT qty FROM shop.orders WHERE id = 3`); got != connectors.Decimal("7.00") {
		t.Fatalf("qty = %#v", got)
	}

	// The schema at an earlier snapshot is the schema then.
	first := int64(1)
	if res := f.query(`SELECT * FROM shop.orders`, QueryOptions{Snapshot: &first}); len(res.Columns) != 3 || res.Columns[1].Type.Kind != connectors.KindInt {
		t.Fatalf("columns at snapshot 1 = %+v", res.Columns)
	}
}

func TestIncompatibleSchemaChangeCommitsNothing(t *testing.T) {
	f := newFixture(t)
	v1 := []connectors.Column{col("id", connectors.KindInt), col("ok", connectors.KindBool)}
	f.load("shop", "flags", v1, [][]any{{int64(1), true}}, LoadAppend)
	snapshots := f.snapshotCount()

	v2 := []connectors.Column{col("id", connectors.KindInt), col("ok", connectors.KindTimestamp)}
	var sce *SchemaChangeError
	if _, err := f.lake.NewTableWriter(f.ctx, "shop", "flags", v2); !errors.As(err, &sce) {
		t.Fatalf("writer error = %v, want a SchemaChangeError", err)
	}
	// A commit whose files were staged before the change fails the same way.
	files := f.stage("shop", "flags", v1, [][]any{{int64(2), false}})
	_, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "shop", Table: "flags", Columns: v2, Method: LoadAppend, Files: files})
	if !errors.As(err, &sce) || sce.Column != "ok" || sce.OldType.Kind != connectors.KindBool || sce.NewType.Kind != connectors.KindTimestamp {
		t.Fatalf("commit error = %v (%+v)", err, sce)
	}
	if got := f.snapshotCount(); got != snapshots {
		t.Fatalf("a failed commit added %d snapshots", got-snapshots)
	}
	if got := f.one(`SELECT count(*) FROM shop.flags`); got != int64(1) {
		t.Fatalf("%v rows", got)
	}
}

func TestStaleFieldIDsAreRewritten(t *testing.T) {
	f := newFixture(t)
	v1 := []connectors.Column{col("id", connectors.KindInt)}
	f.load("s", "t", v1, [][]any{{int64(1)}}, LoadAppend)
	// Two writers add different columns at the same time: both assume id 2.
	withA := []connectors.Column{col("id", connectors.KindInt), col("a", connectors.KindString)}
	withB := []connectors.Column{col("id", connectors.KindInt), col("b", connectors.KindInt)}
	filesA := f.stage("s", "t", withA, [][]any{{int64(2), "x"}})
	filesB := f.stage("s", "t", withB, [][]any{{int64(3), int64(30)}})
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: withA, Method: LoadAppend, Files: filesA}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: withB, Method: LoadAppend, Files: filesB}); err != nil {
		t.Fatal(err)
	}
	res := f.query(`SELECT id, a, b FROM s.t ORDER BY id`)
	want := [][]any{{int64(1), nil, nil}, {int64(2), "x", nil}, {int64(3), nil, int64(30)}}
	if !reflect.DeepEqual(res.Rows, want) {
		t.Fatalf("rows = %#v, want %#v", res.Rows, want)
	}
}

func TestWiden(t *testing.T) {
	cases := []struct {
		cur, next connectors.Type
		want      string
		ok        bool
	}{
		{connectors.Scalar(connectors.KindInt), connectors.Scalar(connectors.KindFloat), "float", true},
		{connectors.Scalar(connectors.KindFloat), connectors.Scalar(connectors.KindInt), "float", true},
		{connectors.DecimalType(10, 2), connectors.DecimalType(12, 4), "decimal(12,4)", true},
		{connectors.DecimalType(38, 0), connectors.DecimalType(10, 5), "decimal(38,0)", false},
		{connectors.Scalar(connectors.KindDate), connectors.Scalar(connectors.KindTimestampTZ), "timestamptz", true},
		{connectors.Scalar(connectors.KindTimestamp), connectors.Scalar(connectors.KindTimestampTZ), "timestamptz", true},
		{connectors.Scalar(connectors.KindUUID), connectors.Scalar(connectors.KindString), "string", true},
		{connectors.Scalar(connectors.KindString), connectors.Scalar(connectors.KindInt), "string", false},
		{connectors.ArrayOf(connectors.Scalar(connectors.KindInt)), connectors.ArrayOf(connectors.Scalar(connectors.KindFloat)), "array<float>", true},
		{connectors.Scalar(connectors.KindBool), connectors.Scalar(connectors.KindInt), "bool", false},
	}
	for _, c := range cases {
		got, ok := widen(c.cur, c.next)
		if ok != c.ok || (ok && got.String() != c.want) {
			t.Errorf("widen(%s, %s) = %s, %v; want %s, %v", c.cur, c.next, got, ok, c.want, c.ok)
		}
	}
}

func TestOddNames(t *testing.T) {
	f := newFixture(t)
	cols := []connectors.Column{col(`we"ird 'name`, connectors.KindInt), col("ÿ ünïcode", connectors.KindString)}
	f.load("My Schema", "a.b/../c", cols, [][]any{{int64(1), "x"}, {int64(2), "y"}}, LoadAppend)
	f.load("My Schema", "a.b/../c", cols, [][]any{{int64(2), "z"}}, LoadMerge, `we"ird 'name`)
	res := f.query(`SELECT "we""ird 'name", "ÿ ünïcode" FROM "My Schema"."a.b/../c" ORDER BY 1`)
	want := [][]any{{int64(1), "x"}, {int64(2), "z"}}
	if !reflect.DeepEqual(res.Rows, want) {
		t.Fatalf("rows = %#v", res.Rows)
	}
	dirs, _ := filepath.Glob(filepath.Join(f.lake.DataPath(), "*", "*"))
	if len(dirs) != 1 || filepath.Base(dirs[0]) != "a%2Eb%2F%2E%2E%2Fc" || filepath.Base(filepath.Dir(dirs[0])) != "My%20Schema" {
		t.Fatalf("table directories = %v", dirs)
	}
	// A staged file outside the lake is refused.
	_, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "s", Table: "t", Columns: cols, Method: LoadAppend,
		Files: []StagedFile{{Path: f.lake.DataPath() + "/../elsewhere.parquet"}}})
	if err == nil {
		t.Fatal("committed a file outside the lake")
	}
}
