package api

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/service"
)

// Query results are encoded by hand: values keep their types (numbers as
// numbers, decimals as exact strings, timestamps RFC 3339, bytes base64) and a
// 10,000-row result costs no map per row.

// columnView is a result column as the API shows it.
type columnView struct {
	Name string          `json:"name"`
	Type connectors.Type `json:"type"`
}

// uniqueColumnNames renames repeated column names (a, a → a, a_2) so every
// value has its own key in a row object.
func uniqueColumnNames(cols []connectors.ResultColumn) []columnView {
	seen := map[string]int{}
	out := make([]columnView, len(cols))
	for i, c := range cols {
		name := c.Name
		for seen[name] > 0 {
			seen[c.Name]++
			name = c.Name + "_" + strconv.Itoa(seen[c.Name])
		}
		seen[name]++
		out[i] = columnView{Name: name, Type: c.Type}
	}
	return out
}

// appendRows appends the rows as a JSON array of objects keyed by column name.
func appendRows(buf []byte, cols []columnView, rows [][]any) []byte {
	keys := rowKeys(cols)
	buf = append(buf, '[')
	for r, row := range rows {
		if r > 0 {
			buf = append(buf, ',')
		}
		buf = appendRow(buf, keys, cols, row)
	}
	return append(buf, ']')
}

// rowKeys are the columns' names as JSON object keys with their colons.
func rowKeys(cols []columnView) [][]byte {
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i] = append(appendString(nil, c.Name), ':')
	}
	return keys
}

// appendRow appends one row as a JSON object.
func appendRow(buf []byte, keys [][]byte, cols []columnView, row []any) []byte {
	buf = append(buf, '{')
	for i, v := range row {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, keys[i]...)
		buf = appendValue(buf, v, cols[i].Type)
	}
	return append(buf, '}')
}

// appendResultMeta appends "columns", "row_count", "truncated",
// "truncated_reason" (rows, bytes or value_bytes; null when whole) and
// "elapsed_ms" members.
func appendResultMeta(buf []byte, cols []columnView, res service.QueryResult) []byte {
	colJSON, _ := json.Marshal(cols)
	buf = append(buf, `"columns":`...)
	buf = append(buf, colJSON...)
	buf = append(buf, `,"row_count":`...)
	buf = strconv.AppendInt(buf, int64(len(res.Rows)), 10)
	buf = append(buf, `,"truncated":`...)
	buf = strconv.AppendBool(buf, res.Truncated)
	buf = append(buf, `,"truncated_reason":`...)
	if res.Truncated && res.TruncatedReason != "" {
		buf = appendString(buf, res.TruncatedReason)
	} else {
		buf = append(buf, "null"...)
	}
	buf = append(buf, `,"elapsed_ms":`...)
	return strconv.AppendInt(buf, res.Elapsed.Milliseconds(), 10)
}

func appendValue(buf []byte, v any, t connectors.Type) []byte {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...)
	case bool:
		return strconv.AppendBool(buf, x)
	case int64:
		return strconv.AppendInt(buf, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendString(buf, strconv.FormatFloat(x, 'g', -1, 64))
		}
		return strconv.AppendFloat(buf, x, 'g', -1, 64)
	case string:
		return appendString(buf, x)
	case connectors.Decimal:
		return appendString(buf, string(x))
	case connectors.Date:
		return appendString(buf, string(x))
	case connectors.TimeOfDay:
		return appendString(buf, string(x))
	case connectors.JSON:
		if json.Valid([]byte(x)) {
			return append(buf, x...)
		}
		return appendString(buf, string(x))
	case time.Time:
		if t.Kind == connectors.KindTimestamp {
			return appendString(buf, x.Format("2006-01-02T15:04:05.999999999"))
		}
		return appendString(buf, x.UTC().Format(time.RFC3339Nano))
	case []byte:
		buf = append(buf, '"')
		buf = base64.StdEncoding.AppendEncode(buf, x)
		return append(buf, '"')
	case []any:
		elem := connectors.Scalar(connectors.KindString)
		if t.Elem != nil {
			elem = *t.Elem
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendValue(buf, e, elem)
		}
		return append(buf, ']')
	}
	b, err := json.Marshal(v)
	if err != nil {
		return appendString(buf, "unencodable value")
	}
	return append(buf, b...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, replacing invalid UTF-8.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf = append(buf, '\\', c)
			case c >= 0x20:
				buf = append(buf, c)
			case c == '\n':
				buf = append(buf, '\\', 'n')
			case c == '\r':
				buf = append(buf, '\\', 'r')
			case c == '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			buf = append(buf, `\u202`...)
			buf = append(buf, hexDigits[r&0xf])
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return append(buf, '"')
}

// nullIfEmpty is nil for "", so an absent reason encodes as null.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
