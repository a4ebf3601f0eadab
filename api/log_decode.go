package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/observability"
	"github.com/sluice-dev/sluice/service"
)

// flexibleString accepts a JSON string or number and keeps its text:
// pipelines send ids (task_id, tf_id) and metadata values either way. A
// number keeps its JSON spelling, so 1 and "1" are the same id.
type flexibleString string

func (f *flexibleString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexibleString(s)
		return nil
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*f = flexibleString(b)
		return nil
	}
	return &json.UnmarshalTypeError{Value: string(b) + " (a string or a number is expected)", Type: reflect.TypeOf("")}
}

// optionalTime parses a time query parameter, or returns nil when it is absent.
func optionalTime(field, value string) (*time.Time, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	t, err := observability.ParseTime(value)
	if err != nil {
		return nil, &service.InputError{Field: field, Problem: err.Error()}
	}
	return &t, nil
}
