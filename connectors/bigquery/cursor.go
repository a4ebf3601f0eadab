package bigquery

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"

	"github.com/sluice-dev/sluice/connectors"
)

// cursorParam renders a cursor value as a query parameter of the cursor
// column's type. The value is one this connector produced or the same after
// a JSON round trip through workflow history (times as RFC 3339 text, numbers
// as float64 or json.Number); BigQuery parses the parameter's text by type.
func cursorParam(col connectors.Column, v any) (*bq.QueryParameterValue, error) {
	text := fmt.Sprint(v)
	var typeKind string
	switch col.Type.Kind {
	case connectors.KindInt:
		typeKind = "INT64"
		if f, ok := v.(float64); ok {
			text = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if _, err := strconv.ParseInt(text, 10, 64); err != nil {
			return nil, fmt.Errorf("%v is not an integer", v)
		}
	case connectors.KindFloat:
		typeKind = "FLOAT64"
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return nil, fmt.Errorf("%v is not a number", v)
		}
	case connectors.KindDecimal:
		typeKind = "NUMERIC"
		if strings.HasPrefix(col.SourceType, "BIGNUMERIC") {
			typeKind = "BIGNUMERIC"
		}
		if f, ok := v.(float64); ok {
			text = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if _, ok := new(big.Rat).SetString(text); !ok {
			return nil, fmt.Errorf("%v is not a decimal", v)
		}
	case connectors.KindString:
		typeKind = "STRING"
	case connectors.KindBool:
		typeKind = "BOOL"
	case connectors.KindDate:
		typeKind = "DATE"
		if _, err := civil.ParseDate(text); err != nil {
			return nil, fmt.Errorf("not a date: %w", err)
		}
	case connectors.KindTime:
		typeKind = "TIME"
		if _, err := civil.ParseTime(text); err != nil {
			return nil, fmt.Errorf("not a time of day: %w", err)
		}
	case connectors.KindTimestamp, connectors.KindTimestampTZ:
		t, err := cursorTime(v)
		if err != nil {
			return nil, err
		}
		typeKind, text = "TIMESTAMP", t.Format("2006-01-02 15:04:05.999999-07:00")
		if col.Type.Kind == connectors.KindTimestamp {
			typeKind, text = "DATETIME", t.Format("2006-01-02 15:04:05.999999") // the wall time
		}
	default:
		return nil, fmt.Errorf("a %s column cannot be a cursor", col.Type)
	}
	return &bq.QueryParameterValue{Type: bq.StandardSQLDataType{TypeKind: typeKind}, Value: text}, nil
}

// cursorRestriction renders "cursor column > value" as a Storage Read API
// row restriction. Restrictions take no parameters, so the value is a
// literal: the text cursorParam checked for the column's type, cast to it.
func cursorRestriction(col connectors.Column, v any) (string, error) {
	p, err := cursorParam(col, v)
	if err != nil {
		return "", err
	}
	text, _ := p.Value.(string)
	return fmt.Sprintf("%s > CAST(%s AS %s)", quoteIdent(col.Name), quoteString(text), p.Type.TypeKind), nil
}

// quoteString renders a GoogleSQL string literal, escaping backslashes,
// quotes and line breaks.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`, "\n", `\n`, "\r", `\r`).Replace(s) + "'"
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
