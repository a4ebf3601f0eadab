package activities

import (
	"reflect"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Every value a change can carry comes back out of the store as it went in,
// whether its column holds it unboxed or fell back to boxed values midway
// (an infinite timestamp, a decimal wider than 18 digits, an instant with
// nanoseconds the microsecond layout would cut).
func TestRowStoreKeepsEveryValue(t *testing.T) {
	cols := []connectors.Column{
		{Name: "id", Type: connectors.Scalar(connectors.KindInt)},
		{Name: "name", Type: connectors.Scalar(connectors.KindString)},
		{Name: "at", Type: connectors.Scalar(connectors.KindTimestampTZ)},
		{Name: "amount", Type: connectors.Type{Kind: connectors.KindDecimal, Precision: 12, Scale: 2}},
		{Name: "active", Type: connectors.Scalar(connectors.KindBool)},
		{Name: "doc", Type: connectors.Scalar(connectors.KindJSON)},
	}
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	rows := [][]any{
		{int64(1), "one", at, connectors.Decimal("12.50"), true, connectors.JSON(`{"a":1}`)},
		{nil, nil, nil, nil, nil, nil},
		{int64(-7), "", at.Add(time.Hour), connectors.Decimal("-0.01"), false, nil},
		// Forms the unboxed layouts cannot hold: each column falls back.
		{"not an int", []byte("three"), "infinity", connectors.Decimal("123456789012345.678"), "t", connectors.JSON(`[]`)},
		{int64(4), "four", at.Add(time.Nanosecond), connectors.Decimal("1"), true, nil},
	}
	store := newRowStore(cols)
	for _, r := range rows {
		for c, v := range r {
			store.boxed += appendValue(&store.cols[c], v)
		}
		store.n++
	}
	want := func(v any) any { return v }
	for r, row := range rows {
		for c, v := range row {
			got := store.value(c, r)
			if gt, ok := got.(time.Time); ok {
				if wt, ok := v.(time.Time); !ok || !gt.Equal(wt) {
					t.Errorf("row %d column %s: %v, want %v", r, cols[c].Name, got, v)
				}
				continue
			}
			if !reflect.DeepEqual(got, want(v)) {
				t.Errorf("row %d column %s: %#v, want %#v", r, cols[c].Name, got, want(v))
			}
		}
	}
	for c := range cols {
		if store.cols[c].Layout != connectors.LayoutValues {
			t.Errorf("column %s kept layout %d after a value it cannot hold", cols[c].Name, store.cols[c].Layout)
		}
	}
	if store.memory() <= 0 {
		t.Errorf("a store of %d rows reports %d bytes", store.n, store.memory())
	}

	// A batch gathered from a store whose columns fell back starts with the
	// store's layouts and holds each value again.
	var batch connectors.ColumnBatch
	store.resetBatch(&batch, 1)
	for r := range rows {
		for c := range cols {
			appendFrom(&batch.Cols[c], &store.cols[c], r)
		}
		batch.Cols[len(cols)].AppendNull()
		batch.Len++
	}
	for r := range rows {
		for c := range cols {
			if got, w := batch.Cols[c].Value(r), store.value(c, r); !reflect.DeepEqual(got, w) {
				t.Errorf("gathered row %d column %s: %#v, want %#v", r, cols[c].Name, got, w)
			}
		}
		if v := batch.Cols[len(cols)].Value(r); v != nil {
			t.Errorf("gathered row %d's extra column: %v, want NULL", r, v)
		}
	}

	store.reset()
	if store.n != 0 || len(store.cols[0].Values)+len(store.cols[0].Ints) != 0 {
		t.Errorf("reset left %d rows", store.n)
	}
}

// Typed columns copy between rows without boxing: the unchanged value of an
// update is the earlier row's.
func TestRowStoreCopiesARowsValue(t *testing.T) {
	cols := []connectors.Column{
		{Name: "name", Type: connectors.Scalar(connectors.KindString)},
		{Name: "amount", Type: connectors.Type{Kind: connectors.KindDecimal, Precision: 12, Scale: 2}},
		{Name: "active", Type: connectors.Scalar(connectors.KindBool)},
	}
	store := newRowStore(cols)
	for c, v := range []any{"kept text", connectors.Decimal("3.25"), true} {
		appendValue(&store.cols[c], v)
	}
	for c := range cols {
		col := &store.cols[c]
		appendFrom(col, col, 0)
	}
	store.n = 2
	for c := range cols {
		if got, want := store.value(c, 1), store.value(c, 0); !reflect.DeepEqual(got, want) || got == nil {
			t.Errorf("column %s: copied %#v, want %#v", cols[c].Name, got, want)
		}
	}
}
