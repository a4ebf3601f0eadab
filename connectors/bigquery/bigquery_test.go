package bigquery

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func TestValidate(t *testing.T) {
	f := salesFake(t)
	trusted, _ := testKeys(t)
	report, err := connectFake(t, f, trusted).Validate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(report.Schemas, []string{"analytics", "sales"}) {
		t.Fatalf("schemas = %v", report.Schemas)
	}
	if !slices.Equal(f.dryRuns, []string{"SELECT 1"}) || len(f.runs) != 0 {
		t.Fatalf("dry runs %v, runs %v; validation must only dry-run", f.dryRuns, f.runs)
	}
}

// TestValidateRefusedKey: a key Google does not recognize fails at the
// authenticate step with the token endpoint's message, and no key material.
func TestValidateRefusedKey(t *testing.T) {
	f := salesFake(t)
	_, rogue := testKeys(t)
	c := connectFake(t, f, rogue)
	_, err := c.Validate(context.Background())
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepAuthenticate || !strings.Contains(stepErr.Message, "Invalid JWT Signature") {
		t.Fatalf("validate with an unknown key: %v, want an authenticate StepError", err)
	}
	if strings.Contains(stepErr.Message, "PRIVATE KEY") || strings.Contains(stepErr.Message, "MII") {
		t.Fatalf("the message quotes the key: %s", stepErr.Message)
	}
}

func TestValidatePermissionDenied(t *testing.T) {
	f := salesFake(t)
	f.deny["datasets"] = true
	trusted, _ := testKeys(t)
	_, err := connectFake(t, f, trusted).Validate(context.Background())
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepPermissions || !strings.Contains(stepErr.Message, "bigquery.datasets.list") {
		t.Fatalf("validate without datasets.list: %v, want a permissions StepError", err)
	}
}

// TestDialsThroughNetguard: with private networks refused, the fake on
// loopback is never reached, not even for the token.
func TestDialsThroughNetguard(t *testing.T) {
	f := salesFake(t)
	trusted, _ := testKeys(t)
	c := connectFake(t, f, trusted)
	netguard.SetAllowPrivate(false)
	_, err := c.Validate(context.Background())
	var stepErr *connectors.StepError
	if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepConnect || !strings.Contains(stepErr.Message, "does not connect there") {
		t.Fatalf("validate: %v, want a connect StepError from the network guard", err)
	}
	if f.requests != 0 {
		t.Fatalf("the fake saw %d requests; the client dialed around the guard", f.requests)
	}
}

func TestTables(t *testing.T) {
	f := salesFake(t)
	trusted, _ := testKeys(t)
	tables, err := connectFake(t, f, trusted).Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	counts := map[string]int64{}
	for _, tb := range tables {
		got[tb.Ref().String()] = tb.Kind
		if tb.RowEstimate != nil {
			counts[tb.Ref().String()] = *tb.RowEstimate
		}
	}
	want := map[string]string{"sales.orders": "table", "sales.v_orders": "view", "analytics.daily": "materialized_view", "analytics.logs": "external"}
	for ref, kind := range want {
		if got[ref] != kind {
			t.Errorf("%s: kind %q, want %q", ref, got[ref], kind)
		}
	}
	if len(counts) != 2 || counts["sales.orders"] != 3 || counts["analytics.daily"] != 7 {
		t.Errorf("row estimates = %v, want orders 3 and daily 7 only", counts)
	}
}

func TestColumns(t *testing.T) {
	f := salesFake(t)
	trusted, _ := testKeys(t)
	c := connectFake(t, f, trusted)
	cols, err := c.Columns(context.Background(), connectors.TableRef{Schema: "sales", Name: "orders"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, source, typ string }{
		{"id", "INT64", "int"}, {"ratio", "FLOAT64", "float"}, {"amount", "NUMERIC(12, 3)", "decimal(12,3)"},
		{"flag", "BOOL", "bool"}, {"day", "DATE", "date"}, {"label", "STRING(40)", "string"}, {"doc", "JSON", "json"},
		{"raw", "BYTES", "bytes"}, {"at", "TIMESTAMP", "timestamptz"}, {"local_at", "DATETIME", "timestamp"},
		{"tags", "ARRAY<INT64>", "array<int>"}, {"buyer", "STRUCT<name STRING, since DATE>", "json"},
		{"big", "BIGNUMERIC", "decimal(76,38)"},
	}
	if len(cols) != len(want) {
		t.Fatalf("got %d columns", len(cols))
	}
	for i, w := range want {
		col := cols[i]
		if col.Name != w.name || col.SourceType != w.source || col.Type.String() != w.typ || col.Ordinal != i+1 {
			t.Errorf("column %d = %s %s %s (ordinal %d), want %s %s %s", i, col.Name, col.SourceType, col.Type, col.Ordinal, w.name, w.source, w.typ)
		}
	}
	if !cols[0].PrimaryKey || cols[0].Nullable || cols[1].PrimaryKey || !cols[1].Nullable || cols[10].Nullable {
		t.Errorf("keys and nullability: id %+v, ratio %+v, tags %+v", cols[0], cols[1], cols[10])
	}
	if cols[5].Comment != "what was sold" {
		t.Errorf("label comment = %q", cols[5].Comment)
	}
	_, err = c.Columns(context.Background(), connectors.TableRef{Schema: "sales", Name: "no_such_table"})
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrNotFound {
		t.Fatalf("columns of a missing table: %v, want not_found", err)
	}
}
