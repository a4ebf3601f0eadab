package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSyncParallelismInput: table_parallelism must be 0 (the worker's
// default) or 1 to 32 and split_rows not negative; a bad value is a 400
// naming the field, and good ones are saved and shown.
func TestSyncParallelismInput(t *testing.T) {
	f := newSyncFixture(t)
	body := func(key string, value any) map[string]any {
		return map[string]any{"dest_schema": "DATA", "schedule": "daily", "tables": []any{f.schema + ".users"}, key: value}
	}
	for _, tc := range []struct {
		key   string
		value any
	}{{"table_parallelism", 33}, {"table_parallelism", -1}, {"split_rows", -5}, {"table_parallelism", "four"}} {
		res := f.configure(t, body(tc.key, tc.value))
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), tc.key) {
			t.Errorf("%s %v: got %d %s, want 400 naming the field", tc.key, tc.value, res.Status, res.Body)
		}
	}
	saved := body("table_parallelism", 32)
	saved["split_rows"] = 0
	res := f.configure(t, saved)
	if res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	got := f.env.Do(t, http.MethodGet, "/v1/api/integrations/"+f.id+"/sync", f.token, nil).JSON(t)["sync_config"].(map[string]any)
	if got["table_parallelism"] != float64(32) || got["split_rows"] != float64(0) {
		t.Fatalf("GET sync: table_parallelism %v, split_rows %v; want 32 and 0", got["table_parallelism"], got["split_rows"])
	}
	if got := f.configure(t, body("dest_schema", "DATA")).JSON(t)["sync_config"].(map[string]any); got["table_parallelism"] != float64(0) || got["split_rows"] != nil {
		t.Fatalf("defaults: table_parallelism %v, split_rows %v; want 0 and null", got["table_parallelism"], got["split_rows"])
	}
}
