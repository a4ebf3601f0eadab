package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// dependencyCodes are the error codes of the 5xx answers that report a
// dependency rather than the request: a source that is unreachable or slow
// (the fuzzer can point an integration at any host) and no LLM configured.
var dependencyCodes = map[string]bool{"source_unavailable": true, "timeout": true, "query_timeout": true, "not_configured": true}

// FuzzRequestBodies sends arbitrary bodies to every POST and PUT route, the
// route picked by a fuzzed byte, and fails on any 5xx but a dependency's.
// A panicking handler fails too: the recovery middleware answers it with a
// 500. One stack serves every input, so the state the fuzzer builds up
// (integrations, sync configurations, task runs) is part of the input.
func FuzzRequestBodies(f *testing.F) {
	fx := newBodyFixture(f)
	for i, r := range fx.routes {
		for _, body := range fx.seeds[r.pattern] {
			f.Add(uint8(i), []byte(body))
		}
	}
	// The generic bodies go to one route each: the fuzzer moves them to the
	// others, and a short baseline leaves more of the run for fuzzing.
	for i, body := range genericBodySeeds {
		f.Add(uint8(i), []byte(body))
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		r := fx.routes[int(which)%len(fx.routes)]
		res := fx.env.Do(t, r.method, r.path, fx.token, body)
		if res.Status < http.StatusInternalServerError {
			return
		}
		var answer struct {
			Error struct{ Code string } `json:"error"`
		}
		if json.Unmarshal(res.Body, &answer) == nil && res.Status != http.StatusInternalServerError && dependencyCodes[answer.Error.Code] {
			return
		}
		t.Fatalf("%s answered %d: %.500s\nbody: %.500q\nlast error logged: %s",
			r.pattern, res.Status, res.Body, body, lastErrorLogged(fx.env.Logs.String()))
	})
}

// lastErrorLogged is the last error-level line of the API's JSON log, which
// holds the panic or the error behind a 5xx.
func lastErrorLogged(logs string) string {
	lines := strings.Split(logs, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], `"level":"ERROR"`) {
			return lines[i]
		}
	}
	return "(none)"
}
