package snowflake

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Formats of cursor text. Conversions name their format explicitly so the
// account's TIMESTAMP_INPUT_FORMAT and friends cannot change how the text is
// read.
const (
	ntzLayout = "2006-01-02 15:04:05.000000000"
	tzLayout  = "2006-01-02 15:04:05.000000000 -07:00"
	ntzFormat = "'YYYY-MM-DD HH24:MI:SS.FF9'"
	tzFormat  = "'YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM'"
)

// cursorArg renders a cursor value as text bound to ?, with the expression
// that converts it to the cursor column's type. The value is one this
// connector produced or the same after a JSON round trip through workflow
// history (times as RFC 3339 text, numbers as float64 or json.Number).
func cursorArg(col connectors.Column, v any) (expr, arg string, err error) {
	arg = fmt.Sprint(v)
	if f, ok := v.(float64); ok {
		arg = strconv.FormatFloat(f, 'f', -1, 64)
	}
	switch t := col.Type; t.Kind {
	case connectors.KindInt:
		if _, err := strconv.ParseInt(arg, 10, 64); err != nil {
			if _, ok := new(big.Int).SetString(arg, 10); !ok {
				return "", "", fmt.Errorf("%v is not an integer", v)
			}
		}
		return "CAST(? AS NUMBER(38,0))", arg, nil
	case connectors.KindDecimal:
		if _, ok := new(big.Rat).SetString(arg); !ok {
			return "", "", fmt.Errorf("%v is not a decimal", v)
		}
		if t.Precision == 0 {
			return "CAST(? AS DECFLOAT)", arg, nil
		}
		return fmt.Sprintf("CAST(? AS NUMBER(%d,%d))", t.Precision, t.Scale), arg, nil
	case connectors.KindFloat:
		if _, err := strconv.ParseFloat(arg, 64); err != nil {
			return "", "", fmt.Errorf("%v is not a number", v)
		}
		return "CAST(? AS FLOAT)", arg, nil
	case connectors.KindString:
		return "?", arg, nil
	case connectors.KindDate:
		if _, err := time.Parse(time.DateOnly, arg); err != nil {
			return "", "", fmt.Errorf("%v is not a date", v)
		}
		return "TO_DATE(?, 'YYYY-MM-DD')", arg, nil
	case connectors.KindTime:
		tod, err := time.Parse("15:04:05.999999999", arg)
		if err != nil {
			return "", "", fmt.Errorf("%v is not a time of day", v)
		}
		return "TO_TIME(?, 'HH24:MI:SS.FF9')", tod.Format("15:04:05.000000000"), nil
	case connectors.KindTimestamp:
		ts, err := cursorTime(v)
		if err != nil {
			return "", "", err
		}
		return "TO_TIMESTAMP_NTZ(?, " + ntzFormat + ")", ts.Format(ntzLayout), nil
	case connectors.KindTimestampTZ:
		ts, err := cursorTime(v)
		if err != nil {
			return "", "", err
		}
		fn := "TO_TIMESTAMP_TZ"
		if strings.HasPrefix(col.SourceType, "TIMESTAMP_LTZ") {
			fn = "TO_TIMESTAMP_LTZ"
		}
		return fn + "(?, " + tzFormat + ")", ts.Format(tzLayout), nil
	}
	return "", "", fmt.Errorf("a %s column cannot be a cursor", col.Type)
}

// cursorTime accepts a time, or its RFC 3339 text after a JSON round trip.
func cursorTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x.UTC(), nil
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t.UTC(), nil
		}
	case json.Number:
		return time.Time{}, fmt.Errorf("%s is a number, not a time", x)
	}
	return time.Time{}, fmt.Errorf("%v is not an RFC 3339 time", v)
}
