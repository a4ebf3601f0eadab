package openlineage

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// badEventSeeds break the schema in the ways the checks name.
var badEventSeeds = []string{
	``, `null`, `[]`, `{} {}`, `{"eventTime": 5}`,
	`{"eventTime": "2024-01-01T00:00:00Z", "producer": "x", "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json"}`,
	`{"eventTime": "2024-01-01T00:00:00", "producer": "https://p", "schemaURL": "https://s", "eventType": "LATER", "run": {"runId": "x"}}`,
	`{"eventTime": "2024-01-01T00:00:00Z", "producer": "https://p", "schemaURL": "https://s", "run": {"runId": "0176a8c2-fe01-7439-87e6-56a1a1b4029f",
	  "facets": {"errorMessage": {"message": 5}}}, "job": {"namespace": "n", "name": "j"},
	  "outputs": [{"namespace": "n", "name": "o", "facets": {"schema": {"fields": [{"name": "a", "fields": [{"name": "b", "type": 1}]}]},
	    "columnLineage": {"fields": {"a": {"inputFields": [{"namespace": "n"}]}}}},
	    "outputFacets": {"outputStatistics": {"rowCount": 1.5, "size": -1}}}]}`,
}

// FuzzParse checks that Parse never panics, that a body holding one JSON
// value is accepted or refused with a *FieldError (anything else is reported
// to the client as malformed JSON), and that an accepted event has what
// sluice relies on. The events of api/testdata/openlineage seed it.
func FuzzParse(f *testing.F) {
	events, err := filepath.Glob("../api/testdata/openlineage/*.json")
	if err != nil || len(events) == 0 {
		f.Fatalf("no OpenLineage events to seed with: %v", err)
	}
	for _, path := range events {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	for _, s := range badEventSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := Parse(body)
		var fe *FieldError
		switch {
		case err != nil && json.Valid(body) && !errors.As(err, &fe):
			t.Fatalf("Parse(%s) refused valid JSON with %T (%v), not a *FieldError", body, err, err)
		case err != nil:
		case ev.RunID == "" || ev.EventTime.IsZero() || ev.Job.Name == "" || ev.Job.Namespace == "":
			t.Fatalf("Parse(%s) accepted an event without a run id, time or job: %+v", body, ev)
		case len(ev.Inputs)+len(ev.Outputs) > maxDatasets:
			t.Fatalf("Parse accepted %d datasets", len(ev.Inputs)+len(ev.Outputs))
		}
	})
}
