package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Field types a connection field can have.
const (
	FieldString  = "string"
	FieldInteger = "integer"
	FieldBoolean = "boolean"
	FieldJSON    = "json"
)

// Field describes one connection field in the catalog.
type Field struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Secret      bool     `json:"secret"`
	Default     any      `json:"default,omitempty"`
	Enum        []string `json:"enum,omitempty"`
	Description string   `json:"description"`
	// MaxLength bounds string and JSON values; 0 means the catalog default.
	MaxLength int `json:"-"`
	// Destination marks a field that says where the credentials are sent
	// (host, port, database, account, project, URL) or who can read them on
	// the way (the TLS mode: without TLS, a machine in the path can ask for
	// the password in clear text). Changing one on an existing connection
	// requires its secrets to be sent again, so a stored password cannot be
	// redirected to a host of the caller's choosing.
	Destination bool `json:"-"`
}

// TypeSpec describes one supported connection type.
type TypeSpec struct {
	ID          int     `json:"id"`
	Slug        string  `json:"slug"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Fields      []Field `json:"fields"`
	// UserCreatable is false for types sluice creates itself (the team's lake).
	UserCreatable bool `json:"user_creatable"`
	// API marks a source read through an HTTP API (stripe): it is discovered
	// and synced like a database but runs no SQL, so its data is queried in
	// the lake.
	API bool `json:"-"`
}

// FieldError names the field of a connection request that is wrong and why.
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Problem) }

const defaultMaxLength = 4096

// Lookup finds a type by slug or by numeric id (as a string).
func Lookup(idOrSlug string) (TypeSpec, bool) {
	for _, t := range catalog {
		if t.Slug == idOrSlug || strconv.Itoa(t.ID) == idOrSlug {
			return t, true
		}
	}
	return TypeSpec{}, false
}

// Catalog returns every supported type, ordered by id.
func Catalog() []TypeSpec { return slices.Clone(catalog) }

// SecretFields returns the names of the type's secret fields.
func (t TypeSpec) SecretFields() []string {
	var names []string
	for _, f := range t.Fields {
		if f.Secret {
			names = append(names, f.Name)
		}
	}
	return names
}

// DestinationFields returns the names of the fields that say where the
// type's credentials are sent.
func (t TypeSpec) DestinationFields() []string {
	var names []string
	for _, f := range t.Fields {
		if f.Destination {
			names = append(names, f.Name)
		}
	}
	return names
}

// Normalize checks values against the type's fields and returns them split
// into non-secret configuration (with defaults applied) and secrets, each
// coerced to its field's type. Unknown fields are refused so a typo is not
// silently ignored.
func (t TypeSpec) Normalize(values map[string]any) (config, secrets map[string]any, err error) {
	for name := range values {
		if !slices.ContainsFunc(t.Fields, func(f Field) bool { return f.Name == name }) {
			return nil, nil, &FieldError{Field: name, Problem: fmt.Sprintf("unknown field for type %s", t.Slug)}
		}
	}
	config, secrets = map[string]any{}, map[string]any{}
	for _, f := range t.Fields {
		raw, present := values[f.Name]
		if !present || raw == nil || raw == "" {
			if f.Required {
				return nil, nil, &FieldError{Field: f.Name, Problem: "is required"}
			}
			if f.Default != nil && !f.Secret {
				config[f.Name] = f.Default
			}
			continue
		}
		v, err := f.coerce(raw)
		if err != nil {
			return nil, nil, &FieldError{Field: f.Name, Problem: err.Error()}
		}
		if f.Secret {
			secrets[f.Name] = v
		} else {
			config[f.Name] = v
		}
	}
	return config, secrets, nil
}

func (f Field) coerce(raw any) (any, error) {
	limit := f.MaxLength
	if limit == 0 {
		limit = defaultMaxLength
	}
	switch f.Type {
	case FieldInteger:
		return coerceInteger(raw)
	case FieldBoolean:
		switch v := raw.(type) {
		case bool:
			return v, nil
		case string:
			if b, err := strconv.ParseBool(v); err == nil {
				return b, nil
			}
		}
		return nil, fmt.Errorf("must be a boolean, got %s", describe(raw))
	case FieldJSON:
		return coerceJSONObject(raw, limit)
	default:
		s, ok := raw.(string)
		if !ok {
			if n, isNum := raw.(float64); isNum {
				s = strconv.FormatFloat(n, 'f', -1, 64)
			} else {
				return nil, fmt.Errorf("must be a string, got %s", describe(raw))
			}
		}
		if len(s) > limit {
			return nil, fmt.Errorf("is longer than %d characters", limit)
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			return nil, fmt.Errorf("must be one of %s", strings.Join(f.Enum, ", "))
		}
		return s, nil
	}
}

func coerceInteger(raw any) (any, error) {
	switch v := raw.(type) {
	case float64:
		if v == math.Trunc(v) && v >= 0 && v <= math.MaxInt32 {
			return int64(v), nil
		}
	case int64:
		return v, nil
	case int:
		return int64(v), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32); err == nil && n >= 0 {
			return n, nil
		}
	}
	got := describe(raw)
	if v, ok := raw.(string); ok && len(v) <= 32 {
		got = strconv.Quote(v)
	}
	return nil, fmt.Errorf("must be a whole number from 0 to %d, as a JSON number or a string of digits (5432 or \"5432\"), got %s", math.MaxInt32, got)
}

// coerceJSONObject accepts a JSON object or a string holding one (a service
// account key is usually pasted as a string) and keeps it as compact text.
func coerceJSONObject(raw any, limit int) (any, error) {
	var text []byte
	switch v := raw.(type) {
	case string:
		text = []byte(v)
	case map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("is not valid JSON: %w", err)
		}
		text = b
	default:
		return nil, fmt.Errorf("must be a JSON object or a string holding one, got %s", describe(raw))
	}
	if len(text) > limit {
		return nil, fmt.Errorf("is longer than %d bytes", limit)
	}
	var obj map[string]any
	if err := json.Unmarshal(text, &obj); err != nil {
		return nil, fmt.Errorf("is not a JSON object")
	}
	return string(text), nil
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64, int, int64:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%T", v)
	}
}
