package stripe

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/httpapi"
)

// cursorSince is the time an incremental read starts after: zero for a
// full read. The sync stores the cursor as JSON, so it comes back as the
// RFC 3339 text of a time.
func cursorSince(req connectors.ReadRequest) (time.Time, error) {
	if req.CursorField == "" || req.CursorAfter == nil {
		if req.CursorField != "" && req.CursorField != cursorField {
			return time.Time{}, cursorFieldError(req.CursorField)
		}
		return time.Time{}, nil
	}
	if req.CursorField != cursorField {
		return time.Time{}, cursorFieldError(req.CursorField)
	}
	switch v := req.CursorAfter.(type) {
	case time.Time:
		return v, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return time.Time{}, fmt.Errorf("the stored cursor %q is not a time: %w", v, err)
		}
		return t, nil
	case float64:
		return time.Unix(int64(v), 0).UTC(), nil
	case int64:
		return time.Unix(v, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("the stored cursor is a %T, not a time", req.CursorAfter)
}

func cursorFieldError(field string) error {
	return &connectors.QueryError{Kind: connectors.QueryErrOther,
		Message: fmt.Sprintf("Stripe streams are read incrementally by created only, not by %s; set cursor_field to created", field)}
}

// resumeKey is where an interrupted read resumes: after object After of
// the list pass, or, with Listed, past the list pass. ListStart is when the
// list pass began, which the change pass needs to know which objects the
// list sent.
type resumeKey struct {
	Listed    bool
	After     string
	ListStart int64
}

func (k resumeKey) encode() []any {
	phase := "list"
	if k.Listed {
		phase = "listed"
	}
	return []any{phase, k.After, k.ListStart}
}

// parseResume reads a key encode made, after its trip through a JSON heartbeat.
func parseResume(key []any) (resumeKey, error) {
	if len(key) == 0 {
		return resumeKey{}, nil
	}
	phase, okPhase := key[0].(string)
	var after string
	var okAfter bool
	if len(key) == 3 {
		after, okAfter = key[1].(string)
	}
	var start int64
	okStart := true
	if len(key) == 3 {
		switch v := key[2].(type) {
		case float64:
			start = int64(v)
		case int64:
			start = v
		case json.Number:
			n, err := v.Int64()
			start, okStart = n, err == nil
		default:
			okStart = false
		}
	}
	if len(key) != 3 || !okPhase || !okAfter || !okStart || (phase != "list" && phase != "listed") {
		return resumeKey{}, fmt.Errorf("the resume point %v is not one a Stripe read made", key)
	}
	return resumeKey{Listed: phase == "listed", After: after, ListStart: start}, nil
}

// event is what a change pass needs of a Stripe event.
type event struct {
	objectType    string
	objectID      string
	objectCreated int64
	deleted       bool
	object        map[string]json.RawMessage
}

func parseEvent(raw map[string]json.RawMessage) (event, error) {
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Object map[string]json.RawMessage `json:"object"`
		} `json:"data"`
	}
	var err error
	if ev.Type, err = field[string](raw, "type"); err == nil {
		err = json.Unmarshal(raw["data"], &ev.Data)
	}
	if err != nil || ev.Data.Object == nil {
		return event{}, &httpapi.FormatError{API: "Stripe", Path: "/v1/events", Problem: "an event has no type or no data.object"}
	}
	obj := ev.Data.Object
	out := event{object: obj, deleted: strings.HasSuffix(ev.Type, ".deleted")}
	out.objectType, _ = field[string](obj, "object")
	out.objectID, _ = field[string](obj, "id")
	out.objectCreated, _ = field[int64](obj, "created")
	return out, nil
}

// field decodes one property of an object.
func field[T any](obj map[string]json.RawMessage, name string) (T, error) {
	var v T
	err := json.Unmarshal(obj[name], &v)
	return v, err
}
