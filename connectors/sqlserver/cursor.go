package sqlserver

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/golang-sql/civil"
	mssql "github.com/microsoft/go-mssqldb"

	"github.com/sluice-dev/sluice/connectors"
)

// cursorParam turns a cursor value into a typed driver parameter for a
// column of type t. The value is either one this connector produced or the
// same after a JSON round trip through workflow history (a time as RFC 3339
// text, a number as float64 or json.Number), so both forms are accepted.
func cursorParam(t connectors.Type, v any) (any, error) {
	switch t.Kind {
	case connectors.KindTimestamp, connectors.KindTimestampTZ:
		ts, err := asTime(v)
		if err != nil {
			return nil, err
		}
		if t.Kind == connectors.KindTimestampTZ {
			return mssql.DateTimeOffset(ts), nil
		}
		return civil.DateTimeOf(ts), nil // datetime2: the wall time, no offset
	case connectors.KindDate:
		d, err := civil.ParseDate(fmt.Sprint(v))
		if err != nil {
			return nil, fmt.Errorf("not a date: %w", err)
		}
		return d, nil
	case connectors.KindTime:
		tod, err := civil.ParseTime(fmt.Sprint(v))
		if err != nil {
			return nil, fmt.Errorf("not a time of day: %w", err)
		}
		return tod, nil
	case connectors.KindInt:
		return asInt(v)
	}
	switch x := v.(type) {
	case connectors.Decimal:
		return string(x), nil // converted to the column's decimal type by CAST
	case json.Number:
		return x.String(), nil
	case float64:
		if t.Kind == connectors.KindDecimal {
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
	}
	return v, nil
}

func asTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		ts, err := time.Parse(time.RFC3339Nano, x)
		if err != nil {
			return time.Time{}, fmt.Errorf("not an RFC 3339 time: %w", err)
		}
		return ts.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%T is not a time", v)
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	case json.Number:
		return x.Int64()
	case string:
		return strconv.ParseInt(x, 10, 64)
	case connectors.Decimal:
		return strconv.ParseInt(string(x), 10, 64)
	}
	return 0, fmt.Errorf("%v (%T) is not an integer", v, v)
}
