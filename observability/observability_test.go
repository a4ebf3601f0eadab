package observability

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestBandFlagsAValueFarOffItsHistory(t *testing.T) {
	history := []float64{100, 102, 98, 101, 99, 100, 103, 97}
	band, ok := NewBand(history, AnomalyK)
	if !ok {
		t.Fatal("no band from 8 values")
	}
	if band.Median != 100 {
		t.Fatalf("median = %v, want 100", band.Median)
	}
	for _, v := range []float64{100, 95, 106} {
		if !band.Contains(v) {
			t.Errorf("%v flagged; band %+v", v, band)
		}
	}
	for _, v := range []float64{10, 1000, 120} {
		if band.Contains(v) {
			t.Errorf("%v not flagged; band %+v", v, band)
		}
	}
}

func TestBandIsRobustToOneWildValue(t *testing.T) {
	history := []float64{100, 102, 98, 101, 99, 1e9}
	band, _ := NewBand(history, AnomalyK)
	if band.Contains(1000) {
		t.Fatalf("one wild value in the history widened the band to %+v", band)
	}
}

func TestBandOfAConstantHistory(t *testing.T) {
	band, ok := NewBand([]float64{12345, 12345, 12345, 12345, 12345}, AnomalyK)
	if !ok || !band.Contains(12345) || band.Contains(12346) {
		t.Fatalf("constant history: band %+v", band)
	}
	// Mostly constant with one past change: MAD is 0, the mean deviation widens the band.
	band, _ = NewBand([]float64{10, 10, 10, 10, 10, 12}, AnomalyK)
	if !band.Contains(11) || band.Contains(100) {
		t.Fatalf("mostly constant history: band %+v", band)
	}
}

func TestBandNeedsEnoughHistory(t *testing.T) {
	if _, ok := NewBand([]float64{1, 2, 3, 4}, AnomalyK); ok {
		t.Fatal("judged a series with 4 values")
	}
}

func TestTaskRunWorkflowID(t *testing.T) {
	team := uuid.MustParse("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f")
	if got := TaskRunWorkflowID(team, "run-42"); got != "task-run/"+team.String()+"/run-42" {
		t.Fatalf("plain id: %s", got)
	}
	odd := TaskRunWorkflowID(team, "2025-09-01 10:00:00.123456")
	if !strings.HasPrefix(odd, "task-run/"+team.String()+"/2025-09-01_10_00_00.123456~") || strings.ContainsAny(odd, " :") {
		t.Fatalf("odd id: %s", odd)
	}
	if TaskRunWorkflowID(team, "a b") == TaskRunWorkflowID(team, "a:b") {
		t.Fatal("two task ids that sanitise alike share a workflow id")
	}
	long := TaskRunWorkflowID(team, strings.Repeat("é", 200))
	if len(long) > 120 {
		t.Fatalf("workflow id is %d bytes", len(long))
	}
}

func TestParseTime(t *testing.T) {
	cases := map[string]time.Time{
		"2025-09-01":                time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
		"2025-09-01T10:00:00":       time.Date(2025, 9, 1, 10, 0, 0, 0, time.UTC),
		"2025-09-01T10:00:00+02:00": time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC),
		"2025-09-01 10:00:00.5":     time.Date(2025, 9, 1, 10, 0, 0, 5e8, time.UTC),
	}
	for in, want := range cases {
		got, err := ParseTime(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2025-13-01", "01/09/2025"} {
		if _, err := ParseTime(bad); err == nil {
			t.Errorf("ParseTime(%q) accepted", bad)
		}
	}
}

func TestSchemaDiff(t *testing.T) {
	name, typ, err := ParseSchemaField("event-type-STRING")
	if err != nil || name != "event-type" || typ != "STRING" {
		t.Fatalf("ParseSchemaField = %q %q %v", name, typ, err)
	}
	for _, bad := range []string{"id", "-INTEGER", "id-"} {
		if _, _, err := ParseSchemaField(bad); err == nil {
			t.Errorf("ParseSchemaField(%q) accepted", bad)
		}
	}
	before := []Field{{"id", "INTEGER", 0}, {"name", "STRING", 1}, {"old", "STRING", 2}}
	after := NormalizeFields([]Field{{"new", "DATE", 3}, {"name", "string", 1}, {"id", "BIGINT", 0}})
	change := DiffSchemas(before, after)
	if len(change.Added) != 1 || change.Added[0].Name != "new" ||
		len(change.Removed) != 1 || change.Removed[0].Name != "old" ||
		len(change.Retyped) != 1 || change.Retyped[0] != (Retype{"id", "INTEGER", "BIGINT"}) {
		t.Fatalf("change = %+v", change)
	}
	if Fingerprint(before) == Fingerprint(after) {
		t.Fatal("different schemas share a fingerprint")
	}
	if Fingerprint([]Field{{"a", "int", 0}}) != Fingerprint([]Field{{"a", "INT", 0}}) {
		t.Fatal("type case changes the fingerprint")
	}
	if !DiffSchemas(before, before).Empty() {
		t.Fatal("a schema differs from itself")
	}
}
