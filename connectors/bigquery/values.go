package bigquery

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/sluice-dev/sluice/connectors"
)

// normalize turns a value the client decoded for field f into the form
// connectors.ResultSet documents.
func normalize(v bq.Value, f *bq.FieldSchema) any {
	if v == nil {
		return nil
	}
	if f.Repeated {
		return eachElement(v, f, normalize)
	}
	switch f.Type {
	case bq.RecordFieldType, bq.RangeFieldType:
		return toJSON(plain(v, f))
	case bq.JSONFieldType:
		if s, ok := v.(string); ok {
			return connectors.JSON(s)
		}
	case bq.NumericFieldType, bq.BigNumericFieldType:
		if r, ok := v.(*big.Rat); ok {
			return connectors.Decimal(decimalText(r, f))
		}
	}
	switch x := v.(type) {
	case civil.Date:
		return connectors.Date(x.String())
	case civil.Time:
		return connectors.TimeOfDay(timeOfDay(x))
	case civil.DateTime:
		return x.In(time.UTC)
	case time.Time:
		return x.UTC()
	case *bq.IntervalValue:
		return x.String()
	case int64, float64, bool, string, []byte:
		return x
	}
	return fmt.Sprint(v)
}

// eachElement applies fn to every element of a REPEATED field's value.
func eachElement(v bq.Value, f *bq.FieldSchema, fn func(bq.Value, *bq.FieldSchema) any) []any {
	list, _ := v.([]bq.Value)
	elem := *f
	elem.Repeated = false
	out := make([]any, len(list))
	for i, x := range list {
		out[i] = fn(x, &elem)
	}
	return out
}

// decimalText renders an exact decimal. BigQuery's values have at most the
// type's scale (9 for NUMERIC, 38 for BIGNUMERIC), so rendering at that scale
// is exact; zeros the declared scale does not ask for are trimmed.
func decimalText(r *big.Rat, f *bq.FieldSchema) string {
	maxScale := 9
	if f.Type == bq.BigNumericFieldType {
		maxScale = 38
	}
	text := r.FloatString(maxScale)
	if f.Scale > 0 && int(f.Scale) < maxScale {
		return text[:len(text)-(maxScale-int(f.Scale))]
	}
	text = strings.TrimRight(text, "0")
	return strings.TrimSuffix(text, ".")
}

// timeOfDay renders HH:MM:SS with microseconds when there are any.
func timeOfDay(t civil.Time) string {
	out := fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second)
	if us := t.Nanosecond / 1000; us != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", us), "0")
	}
	return out
}

// plain turns a value into something encoding/json renders faithfully:
// records become objects keyed by field name, decimals and civil times text.
func plain(v bq.Value, f *bq.FieldSchema) any {
	if v == nil {
		return nil
	}
	if f.Repeated {
		return eachElement(v, f, plain)
	}
	switch x := v.(type) {
	case []bq.Value: // a record's fields, in schema order
		obj := make(map[string]any, len(x))
		for i, sub := range f.Schema {
			if i < len(x) {
				obj[sub.Name] = plain(x[i], sub)
			}
		}
		return obj
	case *bq.RangeValue:
		return map[string]any{"start": plainScalar(x.Start), "end": plainScalar(x.End)}
	}
	n := normalize(v, f)
	if s, ok := n.(connectors.JSON); ok {
		return json.RawMessage(s)
	}
	return n
}

func plainScalar(v bq.Value) any {
	switch x := v.(type) {
	case civil.Date, civil.DateTime, civil.Time:
		return fmt.Sprint(x)
	case time.Time:
		return x.UTC()
	}
	return v
}

func toJSON(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return connectors.JSON(b)
}
