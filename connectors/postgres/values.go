package postgres

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// normalize turns a value pgx decoded into the form connectors.ResultSet documents.
func normalize(v any, t connectors.Type) any {
	if v == nil {
		return nil
	}
	switch x := v.(type) {
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case pgtype.Numeric:
		return numericText(x)
	case time.Time:
		if t.Kind == connectors.KindDate {
			return connectors.Date(x.Format(time.DateOnly))
		}
		return x
	case pgtype.Time:
		return connectors.TimeOfDay(timeOfDay(x.Microseconds))
	case pgtype.Interval:
		return intervalText(x)
	case [16]byte:
		return uuid.UUID(x).String()
	case []any:
		elem := connectors.Scalar(connectors.KindString)
		if t.Elem != nil {
			elem = *t.Elem
		}
		for i := range x {
			x[i] = normalize(x[i], elem)
		}
		return x
	case int64, float64, bool, string, []byte:
		return x
	case pgtype.InfinityModifier:
		return x.String()
	}
	return fmt.Sprint(v)
}

// numericText renders a numeric exactly, the way Postgres prints it.
func numericText(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	if n.NaN {
		return connectors.Decimal("NaN")
	}
	if n.InfinityModifier != pgtype.Finite {
		return connectors.Decimal(n.InfinityModifier.String())
	}
	digits := new(big.Int).Set(n.Int).String()
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	switch {
	case n.Exp > 0:
		digits += strings.Repeat("0", int(n.Exp))
	case n.Exp < 0:
		scale := int(-n.Exp)
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		digits = "-" + digits
	}
	return connectors.Decimal(digits)
}

func timeOfDay(micros int64) string {
	d := time.Duration(micros) * time.Microsecond
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	s := d % time.Minute
	out := fmt.Sprintf("%02d:%02d:%02d", h, m, int64(s/time.Second))
	if frac := int64(s % time.Second / time.Microsecond); frac != 0 {
		out += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
	}
	return out
}

// intervalText renders an interval as ISO 8601 (P1Y2M3DT4H5M6S).
func intervalText(iv pgtype.Interval) string {
	if !iv.Valid {
		return ""
	}
	var b strings.Builder
	b.WriteString("P")
	if y := iv.Months / 12; y != 0 {
		fmt.Fprintf(&b, "%dY", y)
	}
	if m := iv.Months % 12; m != 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if iv.Days != 0 {
		fmt.Fprintf(&b, "%dD", iv.Days)
	}
	if iv.Microseconds != 0 {
		d := time.Duration(iv.Microseconds) * time.Microsecond
		b.WriteString("T")
		if h := int64(d / time.Hour); h != 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m := int64(d % time.Hour / time.Minute); m != 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if s := d % time.Minute; s != 0 {
			fmt.Fprintf(&b, "%gS", s.Seconds())
		}
	}
	if b.Len() == 1 {
		return "PT0S"
	}
	return b.String()
}
