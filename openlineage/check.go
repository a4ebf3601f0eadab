package openlineage

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// FieldError names the field of an event that breaks the OpenLineage schema
// and why, e.g. "run.runId: is not a UUID".
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return e.Field + " " + e.Problem }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// node is a decoded JSON value with the path that leads to it, so every check
// can name the field it rejects.
type node struct {
	path  string
	value any
}

func (n node) child(key string) node {
	if n.path == "" {
		return node{path: key, value: nil}
	}
	return node{path: n.path + "." + key}
}

// get returns the member key of an object node (absent members have a nil value).
func (n node) get(key string) node {
	c := n.child(key)
	if m, ok := n.value.(map[string]any); ok {
		c.value = m[key]
	}
	return c
}

func (n node) present() bool { return n.value != nil }

func (n node) object() (map[string]any, error) {
	m, ok := n.value.(map[string]any)
	if !ok {
		return nil, fieldErr(n.path, "must be an object, got %s", kindOf(n.value))
	}
	return m, nil
}

func (n node) array() ([]any, error) {
	a, ok := n.value.([]any)
	if !ok {
		return nil, fieldErr(n.path, "must be an array, got %s", kindOf(n.value))
	}
	return a, nil
}

func (n node) index(i int, v any) node { return node{path: fmt.Sprintf("%s[%d]", n.path, i), value: v} }

func (n node) member(key string, v any) node {
	c := n.child(key)
	c.value = v
	return c
}

// requiredString returns a non-empty string member, within max characters.
func (n node) requiredString(key string, max int) (string, error) {
	c := n.get(key)
	if !c.present() {
		return "", fieldErr(c.path, "is required")
	}
	s, err := c.str(max)
	if err == nil && strings.TrimSpace(s) == "" {
		return "", fieldErr(c.path, "must not be empty")
	}
	return s, err
}

// optionalString returns a string member, or "" when it is absent.
func (n node) optionalString(key string, max int) (string, error) {
	c := n.get(key)
	if !c.present() {
		return "", nil
	}
	return c.str(max)
}

func (n node) str(max int) (string, error) {
	s, ok := n.value.(string)
	if !ok {
		return "", fieldErr(n.path, "must be a string, got %s", kindOf(n.value))
	}
	if len([]rune(s)) > max {
		return "", fieldErr(n.path, "is longer than %d characters", max)
	}
	return s, nil
}

// uri checks the format "uri" of the schema: an absolute URI, with a scheme.
func (n node) uri(key string, required bool) (string, error) {
	c := n.get(key)
	if !c.present() && !required {
		return "", nil
	}
	s, err := n.requiredString(key, maxURILength)
	if err != nil {
		return "", err
	}
	u, perr := url.Parse(s)
	if perr != nil || u.Scheme == "" {
		return "", fieldErr(c.path, "is not an absolute URI: %q", s)
	}
	return s, nil
}

// number returns a number member (ok false when absent); integer demands a whole number.
func (n node) number(key string, integer bool) (float64, bool, error) {
	c := n.get(key)
	if !c.present() {
		return 0, false, nil
	}
	num, ok := c.value.(json.Number)
	if !ok {
		return 0, false, fieldErr(c.path, "must be a number, got %s", kindOf(c.value))
	}
	if integer {
		if _, err := num.Int64(); err != nil {
			return 0, false, fieldErr(c.path, "must be an integer, got %s", num)
		}
	}
	f, err := num.Float64()
	if err != nil {
		return 0, false, fieldErr(c.path, "is not a finite number: %s", num)
	}
	return f, true, nil
}

func (n node) uuid(key string) (string, error) {
	s, err := n.requiredString(key, 64)
	if err != nil {
		return "", err
	}
	if _, err := uuid.Parse(s); err != nil {
		return "", fieldErr(n.get(key).path, "is not a UUID: %q", s)
	}
	return s, nil
}

// eventTimeLayouts are RFC 3339 (the schema's date-time) and, leniently, the
// same without a zone (Python's datetime.isoformat() of a naive time), read as UTC.
var eventTimeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"}

func (n node) dateTime(key string) (time.Time, error) {
	s, err := n.requiredString(key, 64)
	if err != nil {
		return time.Time{}, err
	}
	for _, layout := range eventTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fieldErr(n.get(key).path, "is not an RFC 3339 date-time: %q", s)
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
