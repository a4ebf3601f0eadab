package sqlserver

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// TestQueryAnswerHasAByteBudget: values past the cap are cut and the answer
// stops at the byte budget, through the shared result builder.
func TestQueryAnswerHasAByteBudget(t *testing.T) {
	sel := "SELECT id, body FROM t"
	var rows [][]driver.Value
	for i := 0; i < 100; i++ {
		rows = append(rows, []driver.Value{int64(i), strings.Repeat("x", 10_000)})
	}
	f := &fakeDriver{answers: map[string]fakeResult{sel: {cols: []string{"id", "body"}, types: []string{"INT", "NVARCHAR"}, rows: rows}}}
	c := withFake(t, f)
	res, err := c.Query(context.Background(), sel, connectors.QueryOptions{MaxBytes: 50_000, MaxValueBytes: 4_000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || res.TruncatedReason != connectors.TruncatedBytes || len(res.Rows) == 0 || len(res.Rows) > 12 {
		t.Fatalf("%d rows, truncated %v %q: want about 12 rows stopped by bytes", len(res.Rows), res.Truncated, res.TruncatedReason)
	}
	if s := res.Rows[0][1].(string); len(s) != 4_000 {
		t.Fatalf("value of %d bytes, want it cut to 4000", len(s))
	}
}
