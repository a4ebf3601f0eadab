package lake

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// parseISOInterval parses the ISO 8601 durations sluice's connectors produce
// (P1Y2M3DT4H5M6.5S, components may be negative) into DuckDB's interval of
// months, days and microseconds. DuckDB 1.4 cannot cast this form itself.
func parseISOInterval(s string) (duckdb.Interval, error) {
	var iv duckdb.Interval
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), "P")
	if !ok || rest == "" {
		return iv, fmt.Errorf("interval %q is not an ISO 8601 duration", s)
	}
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			inTime, rest = true, rest[1:]
			continue
		}
		end := strings.IndexAny(rest, "YMWDHS")
		if end <= 0 {
			return iv, fmt.Errorf("interval %q is not an ISO 8601 duration", s)
		}
		n, err := strconv.ParseFloat(rest[:end], 64)
		if err != nil {
			return iv, fmt.Errorf("interval %q: %w", s, err)
		}
		unit := rest[end]
		rest = rest[end+1:]
		switch {
		case unit == 'Y' && !inTime:
			iv.Months += int32(n * 12)
		case unit == 'M' && !inTime:
			iv.Months += int32(n)
		case unit == 'W' && !inTime:
			iv.Days += int32(n * 7)
		case unit == 'D' && !inTime:
			iv.Days += int32(n)
		case unit == 'H' && inTime:
			iv.Micros += int64(math.Round(n * float64(time.Hour/time.Microsecond)))
		case unit == 'M' && inTime:
			iv.Micros += int64(math.Round(n * float64(time.Minute/time.Microsecond)))
		case unit == 'S' && inTime:
			iv.Micros += int64(math.Round(n * float64(time.Second/time.Microsecond)))
		default:
			return iv, fmt.Errorf("interval %q is not an ISO 8601 duration", s)
		}
	}
	return iv, nil
}

// formatISOInterval renders an interval as ISO 8601, the form sluice's
// Postgres connector uses, so the same value reads the same from either.
func formatISOInterval(iv duckdb.Interval) string {
	d := time.Duration(iv.Micros) * time.Microsecond
	parts := []struct {
		n    int64
		unit string
	}{
		{int64(iv.Months / 12), "Y"}, {int64(iv.Months % 12), "M"}, {int64(iv.Days), "D"},
		{int64(d / time.Hour), "H"}, {int64(d % time.Hour / time.Minute), "M"},
	}
	var b strings.Builder
	b.WriteString("P")
	for i, p := range parts {
		if i == 3 && iv.Micros != 0 {
			b.WriteString("T")
		}
		if p.n != 0 {
			fmt.Fprintf(&b, "%d%s", p.n, p.unit)
		}
	}
	if s := d % time.Minute; s != 0 {
		// Plain decimal seconds: %g would write 1e-06 for a microsecond.
		b.WriteString(strconv.FormatFloat(s.Seconds(), 'f', -1, 64) + "S")
	}
	if b.Len() == 1 {
		return "PT0S"
	}
	return b.String()
}

// Parquet's INTERVAL is three unsigned integers (months, days, milliseconds),
// so DuckDB's Parquet writer refuses negative intervals and drops
// microseconds. sluice therefore writes interval columns into its Parquet
// files as DuckDB's interval text (VARCHAR, e.g. "-1 day -02:30:00.000001"),
// while the catalog keeps column_type "interval": readers map file columns
// by field id and cast them to the catalog's type, which DuckDB does for
// VARCHAR → INTERVAL (sluice's reader and the official ducklake extension
// alike; files written before this still hold Parquet INTERVALs and read as
// before). encodeValues (encode.go) writes them so. Statistics of such
// columns keep null counts but no bounds, as the text order is not the
// interval order.

// toIntervalListText stages a list of intervals as a JSON array of DuckDB's
// interval text ("-1 months 2 days -3 microseconds"), which DuckDB casts to
// INTERVAL[]; it cannot cast the ISO 8601 form sluice's connectors give.
func toIntervalListText(v any) (driver.Value, error) {
	list, ok := v.([]any)
	if !ok {
		return toJSONText(v)
	}
	out := make([]any, len(list))
	for i, e := range list {
		iv, err := toInterval(e)
		if err != nil || iv == nil {
			if err != nil {
				return nil, err
			}
			continue
		}
		x := iv.(duckdb.Interval)
		out[i] = fmt.Sprintf("%d months %d days %d microseconds", x.Months, x.Days, x.Micros)
	}
	return toJSONText(out)
}
