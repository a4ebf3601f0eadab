package lake

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// wideCols are a column of every fast layout, and some that convert.
var wideCols = []connectors.Column{
	col("id", connectors.KindInt), col("name", connectors.KindString), decimalCol("amount", 12, 2),
	col("at", connectors.KindTimestampTZ), col("flag", connectors.KindBool), col("ratio", connectors.KindFloat),
	col("raw", connectors.KindBytes), col("day", connectors.KindDate), col("widened", connectors.KindFloat),
	col("doc", connectors.KindJSON), col("ref", connectors.KindUUID), decimalCol("big", 30, 6), col("on_day", connectors.KindDate),
}

// wideBatch holds rows [from, to) of wideCols as a column batch, every
// seventh row NULL but for the id; amounts have one decimal, as a narrower
// source column would.
func wideBatch(from, to int) *connectors.ColumnBatch {
	b := &connectors.ColumnBatch{Len: to - from, Cols: []connectors.ColumnVector{
		{Layout: connectors.LayoutInt64}, {Layout: connectors.LayoutText}, {Layout: connectors.LayoutDecimal, Scale: 1},
		{Layout: connectors.LayoutMicros}, {Layout: connectors.LayoutBool}, {Layout: connectors.LayoutFloat64},
		{Layout: connectors.LayoutBytes}, {Layout: connectors.LayoutValues}, {Layout: connectors.LayoutInt64},
		{Layout: connectors.LayoutJSON}, {Layout: connectors.LayoutText}, {Layout: connectors.LayoutDecimal, Scale: 4},
		{Layout: connectors.LayoutDate},
	}}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := from; i < to; i++ {
		null := i%7 == 3
		c := b.Cols
		c[0].Nulls, c[0].Ints = append(c[0].Nulls, false), append(c[0].Ints, int64(i))
		for j := 1; j < len(c); j++ {
			c[j].Nulls = append(c[j].Nulls, null)
		}
		name := fmt.Sprintf("name %d %s", i, strings.Repeat("x", i%20)) // inlined and not
		if null {
			name = ""
		}
		c[1].Data = append(c[1].Data, name...)
		c[1].Ends = append(c[1].Ends, len(c[1].Data))
		c[2].Ints = append(c[2].Ints, int64(i%1000-500))
		c[3].Ints = append(c[3].Ints, base.Add(time.Duration(i)*time.Second).UnixMicro())
		c[4].Bools = append(c[4].Bools, i%2 == 0)
		c[5].Floats = append(c[5].Floats, float64(i)/4)
		if !null {
			c[6].Data = append(c[6].Data, byte(i), byte(i>>8))
		}
		c[6].Ends = append(c[6].Ends, len(c[6].Data))
		var day any
		if !null {
			day = connectors.Date(base.AddDate(0, 0, i%400).Format(time.DateOnly))
		}
		c[7].Values = append(c[7].Values, day)
		c[8].Ints = append(c[8].Ints, int64(i*3))
		if !null {
			c[9].Data = fmt.Appendf(c[9].Data, `{"n": %d, "tags": ["a"]}`, i)
			c[10].Data = fmt.Appendf(c[10].Data, "a0eebc99-9c0b-4ef8-bb6d-%012x", i)
			c[12].Data = append(c[12].Data, base.AddDate(0, 0, -i).Format(time.DateOnly)...)
		}
		c[9].Ends, c[10].Ends, c[12].Ends = append(c[9].Ends, len(c[9].Data)), append(c[10].Ends, len(c[10].Data)), append(c[12].Ends, len(c[12].Data))
		c[11].Ints = append(c[11].Ints, (int64(i)-5000)*123456789012345) // up to 18 digits, 24 in the column
	}
	return b
}

// TestWriteColumnsMatchesWriteBatch writes the same rows column by column
// and as rows, across several chunks and files, and compares the tables.
func TestWriteColumnsMatchesWriteBatch(t *testing.T) {
	f := newFixture(t)
	f.lake.Limits.FileMaxRows = 3000
	write := func(table string, columns bool) []StagedFile {
		w, err := f.lake.NewTableWriter(f.ctx, "wide", table, wideCols)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Abort()
		for from := 0; from < 10000; from += 2500 {
			b := wideBatch(from, from+2500)
			if columns {
				err = w.WriteColumns(f.ctx, b)
			} else {
				err = w.WriteBatch(f.ctx, b.Rows())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		files, err := w.Finish(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.lake.Commit(f.ctx, CommitRequest{Schema: "wide", Table: table, Columns: wideCols, Method: LoadAppend, Files: files}); err != nil {
			t.Fatal(err)
		}
		return files
	}
	if files := write("by_columns", true); len(files) != 4 {
		t.Fatalf("%d files, want 4", len(files))
	}
	write("by_rows", false)
	sum := func(table string) any {
		return f.one(`SELECT md5(string_agg(concat_ws('|', id, name, amount, "at", flag, ratio, raw, day, widened, doc, ref, big, on_day, name IS NULL, raw IS NULL, doc IS NULL), ',' ORDER BY id)) FROM wide.` + table)
	}
	if a, b := sum("by_columns"), sum("by_rows"); a != b {
		t.Fatalf("checksums differ: columns %v, rows %v", a, b)
	}
	if got := f.one(`SELECT amount FROM wide.by_columns WHERE id = 12`); fmt.Sprint(got) != "-48.80" {
		t.Fatalf("amount of id 12 = %v, want -48.80 (scale 1 widened to 2)", got)
	}
	if got := f.one(`SELECT CAST(ref AS VARCHAR) FROM wide.by_columns WHERE id = 12 AND ref > 'A0EEBC99-9C0B-4EF8-BB6D-00000000000B'`); got != "a0eebc99-9c0b-4ef8-bb6d-00000000000c" {
		t.Fatalf("ref of id 12 = %v, want a0eebc99-9c0b-4ef8-bb6d-00000000000c", got)
	}
	if got := f.one(`SELECT big FROM wide.by_columns WHERE id = 12`); fmt.Sprint(got) != "-61580246359357.686000" {
		t.Fatalf("big of id 12 = %v, want -61580246359357.686000 (scale 4 widened to 6)", got)
	}
	if got := f.one(`SELECT count(*) FROM wide.by_columns WHERE name IS NULL AND raw IS NULL AND day IS NULL AND doc IS NULL AND on_day IS NULL`); got != int64(1429) {
		t.Fatalf("%v rows of NULLs, want 1429", got)
	}
}

func TestWriteColumnsRefusesWhatDoesNotFit(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name string
		vec  connectors.ColumnVector
		want string
	}{
		{"decimal past its precision", connectors.ColumnVector{Layout: connectors.LayoutDecimal, Scale: 2, Nulls: []bool{false}, Ints: []int64{1e12}},
			"does not fit in decimal(12,2)"},
		{"timestamp past DuckDB's range", connectors.ColumnVector{Layout: connectors.LayoutMicros, Nulls: []bool{false}, Ints: []int64{maxMicros}},
			"out of DuckDB's range"},
		{"wide decimal past its precision", connectors.ColumnVector{Layout: connectors.LayoutDecimal, Nulls: []bool{false}, Ints: []int64{1e18}},
			"does not fit in decimal(20,6)"},
	}
	for _, c := range cases {
		cols := []connectors.Column{decimalCol("amount", 12, 2)}
		if c.vec.Layout == connectors.LayoutMicros {
			cols = []connectors.Column{col("at", connectors.KindTimestampTZ)}
		}
		if strings.HasPrefix(c.name, "wide") {
			cols = []connectors.Column{decimalCol("amount", 20, 6)}
		}
		w, err := f.lake.NewTableWriter(f.ctx, "wide", "refused", cols)
		if err != nil {
			t.Fatal(err)
		}
		err = w.WriteColumns(f.ctx, &connectors.ColumnBatch{Len: 1, Cols: []connectors.ColumnVector{c.vec}})
		w.Abort()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
