package stripe

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// TestReadPagesThroughRateLimits: 250 customers come in three pages, each
// after the last id of the one before, through two 429s with Retry-After.
func TestReadPagesThroughRateLimits(t *testing.T) {
	srv, c := fake(t)
	addCustomers(srv, 250, 1_700_000_000)
	srv.Throttle.Store(2)
	sink := &collector{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers")}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rows != 250 || len(slices.Compact(slices.Sorted(slices.Values(sink.ids())))) != 250 || srv.Throttled.Load() != 2 {
		t.Fatalf("%d rows (%d distinct), %d throttled", stats.Rows, len(sink.ids()), srv.Throttled.Load())
	}
	if got := sink.ids()[0]; got != customerID(249) {
		t.Fatalf("first row %s, want the newest", got)
	}
	var pages []string
	for _, q := range srv.Queries() {
		if !slices.Contains(pages, q) {
			pages = append(pages, q)
		}
	}
	if len(pages) != 3 || !strings.Contains(pages[1], "starting_after="+customerID(150)) || !strings.Contains(pages[2], "starting_after="+customerID(50)) {
		t.Fatalf("pages asked: %v", pages)
	}
	if want := time.Unix(1_700_000_249, 0).UTC(); stats.MaxCursor != want {
		t.Fatalf("max cursor %v, want %v", stats.MaxCursor, want)
	}
}

// TestIncrementalReadsNewObjectsAndChanges: after a first run, a read by
// created lists only newer objects and sends the latest state of older
// ones that changed (from /v1/events), never a deleted one, each once.
func TestIncrementalReadsNewObjectsAndChanges(t *testing.T) {
	srv, c := fake(t)
	addCustomers(srv, 10, 1000)
	first, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers"), CursorField: "created"}, &collector{})
	if err != nil || first.Rows != 10 {
		t.Fatalf("first run: %+v %v", first, err)
	}
	// The sync stores the cursor as JSON: it comes back as RFC 3339 text.
	cursor := first.MaxCursor.(time.Time).Format(time.RFC3339Nano)
	srv.Change("/v1/customers", customerID(3), "updated", 1010, map[string]any{"email": "old@example.com"})
	srv.Change("/v1/customers", customerID(3), "updated", 1011, map[string]any{"email": "new@example.com"})
	srv.Change("/v1/customers", customerID(5), "deleted", 1012, nil)
	srv.Add("/v1/customers", map[string]any{"id": "cus_new", "object": "customer", "created": int64(1020), "email": "n@example.com"})
	srv.Change("/v1/customers", "cus_new", "updated", 1021, map[string]any{"email": "n2@example.com"})

	sink := &collector{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers"), CursorField: "created", CursorAfter: cursor,
		Columns: []connectors.Column{{Name: "id"}, {Name: "email"}}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for _, r := range sink.rows {
		if _, dup := got[r[0].(string)]; dup {
			t.Fatalf("%s sent twice: %v", r[0], sink.rows)
		}
		got[r[0].(string)] = r[1]
	}
	if len(got) != 2 || got["cus_new"] != "n2@example.com" || got[customerID(3)] != "new@example.com" {
		t.Fatalf("incremental read sent %v", sink.rows)
	}
	if want := time.Unix(1021, 0).UTC(); stats.MaxCursor != want {
		t.Fatalf("max cursor %v, want %v (the newest event)", stats.MaxCursor, want)
	}
	for _, q := range srv.Queries() {
		if strings.HasPrefix(q, "/v1/events") && !strings.Contains(q, "type=customer.*") {
			t.Fatalf("events asked without the stream's type: %s", q)
		}
	}
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: table("customers"), CursorField: "email", CursorAfter: "x"}, &collector{}); err == nil || !strings.Contains(err.Error(), "created only") {
		t.Fatalf("a cursor other than created: %v", err)
	}
}

// TestReadResumesAfterTheLastResumePoint: a read killed after its first
// resume point (a page boundary) resumes with the page after it, and the
// two reads together deliver every object once.
func TestReadResumesAfterTheLastResumePoint(t *testing.T) {
	srv, c := fake(t)
	addCustomers(srv, 250, 1_700_000_000)
	killed := &collector{failAfterChunks: 1}
	req := connectors.ReadRequest{Table: table("customers"), OrderBy: []string{"id"}, ChunkRows: 100}
	if _, err := c.Read(context.Background(), req, killed); !errors.Is(err, errKilled) {
		t.Fatalf("the killed read ended with %v", err)
	}
	if len(killed.keys) != 1 || len(killed.rows) != 100 {
		t.Fatalf("before the kill: %d rows, resume points %v", len(killed.rows), killed.keys)
	}
	asked := len(srv.Queries())
	req.ResumeAfter = roundTrip(t, killed.keys[0])
	resumed := &collector{}
	if _, err := c.Read(context.Background(), req, resumed); err != nil {
		t.Fatal(err)
	}
	if q := srv.Queries()[asked]; !strings.Contains(q, "starting_after="+customerID(150)) {
		t.Fatalf("the resumed read began with %s", q)
	}
	all := append(killed.ids(), resumed.ids()...)
	if len(all) != 250 || len(slices.Compact(slices.Sorted(slices.Values(all)))) != 250 {
		t.Fatalf("%d rows over both reads", len(all))
	}
	if last := resumed.keys[len(resumed.keys)-1]; last[0] != "listed" {
		t.Fatalf("the last resume point %v does not say the list is done", last)
	}
}
