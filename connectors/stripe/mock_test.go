package stripe

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
	"github.com/sluice-dev/sluice/connectors/stripe/stripetest"
)

// TestStripeMockValidatesAndReadsEveryStream runs against stripe-mock,
// Stripe's own mock built from its OpenAPI spec: every stream's real answer
// shape must map to the stream's typed columns. What the mock cannot show
// (it keeps no state between calls: every list is one fixture object,
// created[gt], starting_after and event types are accepted and ignored, and
// every event is a plan or price event) is shown against stripetest.Server
// in read_test.go: pagination, rate limits, incremental reads, changes
// through events, and resuming after an interruption.
func TestStripeMockValidatesAndReadsEveryStream(t *testing.T) {
	base := stripetest.Mock(t)
	c := open(t, base, stripetest.MockKey, httpapi.Options{})
	report, err := c.Validate(context.Background())
	if err != nil {
		t.Fatalf("validate: %v", err)
	}
	if len(report.Schemas) != len(streams) {
		t.Fatalf("validation found %v", report.Schemas)
	}
	for _, s := range streams {
		sink := &collector{}
		stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: table(s.Name), OrderBy: []string{"id"}, ChunkRows: 1}, sink)
		if err != nil {
			t.Fatalf("read %s: %v", s.Name, err)
		}
		if stats.Rows != 1 || len(sink.rows) != 1 || stats.MaxCursor == nil {
			t.Fatalf("%s: %d rows, stats %+v", s.Name, len(sink.rows), stats)
		}
		row := sink.rows[0]
		for i, f := range s.Fields {
			if row[i] == nil {
				continue
			}
			ok := false
			switch f.Type.Kind {
			case connectors.KindString:
				_, ok = row[i].(string)
			case connectors.KindInt:
				_, ok = row[i].(int64)
			case connectors.KindBool:
				_, ok = row[i].(bool)
			case connectors.KindFloat:
				_, ok = row[i].(float64)
			case connectors.KindTimestampTZ:
				_, ok = row[i].(time.Time)
			case connectors.KindJSON:
				_, ok = row[i].(connectors.JSON)
			}
			if !ok {
				t.Errorf("%s.%s = %#v, not a %s", s.Name, f.Name, row[i], f.Type)
			}
		}
		if id, _ := row[0].(string); id == "" {
			t.Errorf("%s has no id: %v", s.Name, row)
		}
	}
	// The mock answers 401 to a key that is not a test key, and quotes it.
	const badKey = "not_a_stripe_key_quoted_back"
	_, err = open(t, base, badKey, httpapi.Options{}).Validate(context.Background())
	var step *connectors.StepError
	if !errors.As(err, &step) || step.Step != connectors.StepAuthenticate || strings.Contains(err.Error(), badKey) {
		t.Fatalf("a bad key: %v", err)
	}
}
