package connectors

import (
	"fmt"
	"strings"
)

// Kind is a type in sluice's own type system. Every connector maps its
// database's types to these, so discovery, query results and syncs agree.
type Kind string

// The kinds of sluice's type system.
const (
	KindString      Kind = "string"
	KindInt         Kind = "int"
	KindFloat       Kind = "float"
	KindDecimal     Kind = "decimal"
	KindBool        Kind = "bool"
	KindDate        Kind = "date"
	KindTime        Kind = "time"
	KindTimestamp   Kind = "timestamp"   // without time zone
	KindTimestampTZ Kind = "timestamptz" // an instant
	KindInterval    Kind = "interval"
	KindJSON        Kind = "json"
	KindBytes       Kind = "bytes"
	KindUUID        Kind = "uuid"
	KindArray       Kind = "array"
	KindUnknown     Kind = "unknown" // shown as text
)

// Type is a sluice type: a kind with its parameters.
type Type struct {
	Kind Kind `json:"kind"`
	// Precision and Scale are set for decimals when the source declares them.
	Precision int `json:"precision,omitempty"`
	Scale     int `json:"scale,omitempty"`
	// Elem is the element type of an array.
	Elem *Type `json:"elem,omitempty"`
}

// String renders the type as sluice shows it: "decimal(10,2)", "array<int>".
func (t Type) String() string {
	switch t.Kind {
	case KindDecimal:
		if t.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
		}
	case KindArray:
		if t.Elem != nil {
			return "array<" + t.Elem.String() + ">"
		}
	}
	return string(t.Kind)
}

// MarshalText makes a Type appear in JSON as its string form.
func (t Type) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText parses the string form.
func (t *Type) UnmarshalText(b []byte) error {
	parsed, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// ParseType parses the string form of a Type.
func ParseType(s string) (Type, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "array<") && strings.HasSuffix(s, ">"):
		elem, err := ParseType(s[len("array<") : len(s)-1])
		if err != nil {
			return Type{}, err
		}
		return Type{Kind: KindArray, Elem: &elem}, nil
	case strings.HasPrefix(s, "decimal(") && strings.HasSuffix(s, ")"):
		var p, sc int
		if _, err := fmt.Sscanf(s, "decimal(%d,%d)", &p, &sc); err != nil {
			return Type{}, fmt.Errorf("parse type %q: %w", s, err)
		}
		return Type{Kind: KindDecimal, Precision: p, Scale: sc}, nil
	}
	switch k := Kind(s); k {
	case KindString, KindInt, KindFloat, KindDecimal, KindBool, KindDate, KindTime, KindTimestamp,
		KindTimestampTZ, KindInterval, KindJSON, KindBytes, KindUUID, KindArray, KindUnknown:
		return Type{Kind: k}, nil
	}
	return Type{}, fmt.Errorf("unknown type %q", s)
}

// Scalar returns a Type of a kind without parameters.
func Scalar(k Kind) Type { return Type{Kind: k} }

// ArrayOf returns an array type.
func ArrayOf(elem Type) Type { return Type{Kind: KindArray, Elem: &elem} }

// DecimalType returns a decimal type; precision 0 means unconstrained.
func DecimalType(precision, scale int) Type {
	return Type{Kind: KindDecimal, Precision: precision, Scale: scale}
}
