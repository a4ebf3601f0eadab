package semantic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on a query, so one request cannot make the compiler or the source
// do unbounded work.
const (
	// DefaultLimit is the row limit of a query that names none (Cube's default).
	DefaultLimit = 10_000
	// MaxLimit is the largest limit a query may ask for (Cube's maximum).
	MaxLimit = 50_000
	// MaxQueryMembers bounds measures, dimensions, time dimensions and segments together.
	MaxQueryMembers = 100
	// MaxFilters bounds the filters of a query, counting nested ones.
	MaxFilters = 200
	// MaxFilterValues bounds the values of one filter.
	MaxFilterValues = 1_000
	maxFilterDepth  = 8
	maxValueLength  = 4_096
)

// Query is a query in Cube's REST API format.
type Query struct {
	Measures       []string        `json:"measures"`
	Dimensions     []string        `json:"dimensions"`
	Segments       []string        `json:"segments"`
	TimeDimensions []TimeDimension `json:"timeDimensions"`
	Filters        []Filter        `json:"filters"`
	Order          Order           `json:"order"`
	Limit          *int            `json:"limit"`
	Offset         *int            `json:"offset"`
	Timezone       string          `json:"timezone"`
	// Total and Ungrouped are Cube options sluice does not implement; a query
	// that sets them true is refused rather than answered differently.
	Total     bool `json:"total"`
	Ungrouped bool `json:"ungrouped"`
	// RenewQuery asks Cube to bypass its cache; sluice has none, so it is accepted and has no effect.
	RenewQuery bool `json:"renewQuery"`
	// RowLimit and QueryType appear in the normalized query Cube answers
	// with; they are accepted so a client can send that query back.
	RowLimit  *int   `json:"rowLimit"`
	QueryType string `json:"queryType"`
}

// TimeDimension groups and/or filters by a time dimension.
type TimeDimension struct {
	Dimension   string    `json:"dimension"`
	Granularity *string   `json:"granularity"`
	DateRange   DateRange `json:"dateRange"`
	// CompareDateRange is refused: comparison queries are not implemented.
	CompareDateRange json.RawMessage `json:"compareDateRange,omitempty"`
}

// DateRange is a pair (or one) of dates, or a relative phrase such as "last 7 days".
type DateRange struct {
	Set      bool
	Relative string
	Dates    []string
}

// UnmarshalJSON accepts a string or an array of one or two strings.
func (d *DateRange) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = DateRange{Set: true, Relative: s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil || len(list) < 1 || len(list) > 2 {
		return errors.New("dateRange must be a string or an array of one or two date strings")
	}
	*d = DateRange{Set: true, Dates: list}
	return nil
}

// Filter is a member filter, or a logical "and"/"or" of filters.
type Filter struct {
	Member    string   `json:"member,omitempty"`
	Dimension string   `json:"dimension,omitempty"` // the older name of member
	Operator  string   `json:"operator,omitempty"`
	Values    Values   `json:"values,omitempty"`
	And       []Filter `json:"and,omitempty"`
	Or        []Filter `json:"or,omitempty"`
}

// Values are a filter's values; Cube documents strings, and numbers,
// booleans and null are accepted too. A nil entry is JSON null.
type Values []*string

// UnmarshalJSON turns every value into its string form.
func (v *Values) UnmarshalJSON(b []byte) error {
	var raw []any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return errors.New("values must be an array")
	}
	out := make(Values, len(raw))
	for i, x := range raw {
		var s string
		switch t := x.(type) {
		case nil:
			continue
		case string:
			s = t
		case json.Number:
			s = t.String()
		case bool:
			s = strconv.FormatBool(t)
		default:
			return fmt.Errorf("values[%d] must be a string, a number, a boolean or null", i)
		}
		out[i] = &s
	}
	*v = out
	return nil
}

// Order is the query's ordering. Set is false when the query has no order
// property (the default order applies); an empty Set order means no ordering.
type Order struct {
	Set   bool
	Items []OrderItem
}

// OrderItem orders by one member.
type OrderItem struct {
	Member string
	Desc   bool
}

// UnmarshalJSON accepts an object {"member": "asc"} (key order is the
// order), an array of ["member", "desc"] pairs, or an array of
// {"id": "member", "desc": true} objects (the normalized form).
func (o *Order) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	o.Set = true
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return errors.New("order must be an object or an array")
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return errors.New("order is not a valid object")
			}
			var dir string
			if err := dec.Decode(&dir); err != nil {
				return fmt.Errorf("order of %v must be \"asc\" or \"desc\"", key)
			}
			item, err := orderItem(key.(string), dir)
			if err != nil {
				return err
			}
			o.Items = append(o.Items, item)
		}
		return nil
	case json.Delim('['):
		var list []json.RawMessage
		if err := json.Unmarshal(b, &list); err != nil {
			return errors.New("order is not a valid array")
		}
		for _, raw := range list {
			var pair []string
			if json.Unmarshal(raw, &pair) == nil && len(pair) == 2 {
				item, err := orderItem(pair[0], pair[1])
				if err != nil {
					return err
				}
				o.Items = append(o.Items, item)
				continue
			}
			var obj struct {
				ID   string `json:"id"`
				Desc bool   `json:"desc"`
			}
			if json.Unmarshal(raw, &obj) != nil || obj.ID == "" {
				return errors.New(`each order entry must be ["member", "asc"|"desc"] or {"id": "member", "desc": bool}`)
			}
			o.Items = append(o.Items, OrderItem{Member: obj.ID, Desc: obj.Desc})
		}
		return nil
	}
	return errors.New("order must be an object or an array")
}

func orderItem(member, dir string) (OrderItem, error) {
	switch strings.ToLower(dir) {
	case "asc":
		return OrderItem{Member: member}, nil
	case "desc":
		return OrderItem{Member: member, Desc: true}, nil
	}
	return OrderItem{}, fmt.Errorf("order of %s must be \"asc\" or \"desc\", not %q", member, dir)
}

// QueryError is a problem with a query, naming the field and, where there is
// one, the member or operator.
type QueryError struct {
	Field string
	Msg   string
}

func (e *QueryError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func queryErr(field, format string, args ...any) error {
	return &QueryError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ParseQuery decodes a query in Cube's format, refusing unknown fields.
func ParseQuery(raw []byte) (*Query, error) {
	var q Query
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return nil, &QueryError{Msg: decodeMessage(err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &QueryError{Msg: "the query must be a single JSON object"}
	}
	return &q, nil
}

func decodeMessage(err error) string {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("%s has the wrong type (%s)", typeErr.Field, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown property " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
