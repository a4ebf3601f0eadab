package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// A query's answer is bounded by bytes (connectors.ResultBuilder). pgx reads
// a whole row message before sluice sees it, so a 200 MB value would be
// received whole however early the client gives up. The server therefore
// cuts long values itself: the statement is described first, then run
// wrapped in a projection that cuts text and bytes to one past the cap and
// replaces other long values (JSON, arrays, XML…) by the cut text or null.
// What is left: a statement that cannot be wrapped (EXPLAIN, SHOW) runs as
// written, and pgx still buffers its rows' messages whole; the per-value cap
// and the budget are then applied before decoding, from the raw lengths.

// capKind is how the wrapper cuts a column server-side.
type capKind int

const (
	capNone  capKind = iota // fixed width or short by nature: sent as is
	capText                 // text, varchar, name: left(c, cap+1)
	capBytes                // bytea: substring(c from 1 for cap+1)
	capJSON                 // json, jsonb: cut text, decoded as JSON text
	capOther                // anything else: null when its text is longer, with a flag column
)

// fixedTypes never need cutting: they are short by nature.
var fixedTypes = map[string]bool{
	"bool": true, "int2": true, "int4": true, "int8": true, "float4": true, "float8": true,
	"oid": true, "date": true, "time": true, "timetz": true, "timestamp": true, "timestamptz": true,
	"interval": true, "uuid": true, "money": true, "char": true, "bpchar": true, "numeric": true,
	"inet": true, "cidr": true, "macaddr": true, "xid": true, "cid": true, "tid": true,
}

func capKindOf(typeName string) capKind {
	switch {
	case fixedTypes[typeName]:
		return capNone
	case typeName == "text" || typeName == "varchar" || typeName == "name":
		return capText
	case typeName == "bytea":
		return capBytes
	case typeName == "json" || typeName == "jsonb":
		return capJSON
	}
	return capOther
}

// cappedStatement is the statement to run and how to read its rows.
type cappedStatement struct {
	sql     string
	fields  []pgconn.FieldDescription // the user's statement's columns
	kinds   []capKind                 // nil when the statement runs unwrapped
	flagsAt int                       // first flag column (capOther), after the user's columns
}

// describeCapped describes the statement and, when some column could carry
// a long value, wraps it so the server cuts values past valueCap. A
// statement that does not survive wrapping runs as written. It runs before
// the read-only transaction starts: a failed describe would abort it.
func describeCapped(ctx context.Context, conn *pgconn.PgConn, types *pgtype.Map, sql string, valueCap, maxRows int, redshift bool) (cappedStatement, error) {
	out := cappedStatement{sql: sql}
	desc, err := conn.Prepare(ctx, "", sql, nil)
	if err != nil {
		return out, err
	}
	out.fields = desc.Fields
	if redshift || len(desc.Fields) == 0 {
		return out, nil
	}
	kinds := make([]capKind, len(desc.Fields))
	needed := false
	for i, f := range desc.Fields {
		name := "unknown"
		if t, ok := types.TypeForOID(f.DataTypeOID); ok {
			name = t.Name
		}
		kinds[i] = capKindOf(name)
		needed = needed || kinds[i] != capNone
	}
	if !needed {
		return out, nil
	}
	wrapped := wrapCapped(sql, kinds, valueCap, maxRows)
	if _, err := conn.Prepare(ctx, "", wrapped, nil); err != nil {
		return out, nil //nolint:nilerr // not wrappable (EXPLAIN, SHOW…): run as written, capped client-side
	}
	out.sql, out.kinds, out.flagsAt = wrapped, kinds, len(kinds)
	return out, nil
}

// wrapCapped projects the statement's columns by position, cutting each as
// its kind says, with one flag column per capOther column.
func wrapCapped(sql string, kinds []capKind, valueCap, maxRows int) string {
	limit := strconv.Itoa(valueCap)
	names := make([]string, len(kinds))
	exprs := make([]string, 0, len(kinds))
	var flags []string
	for i, k := range kinds {
		c := "sluice_q.c" + strconv.Itoa(i+1)
		names[i] = "c" + strconv.Itoa(i+1)
		switch k {
		case capText:
			exprs = append(exprs, fmt.Sprintf("left(%s, %s + 1)", c, limit))
		case capBytes:
			exprs = append(exprs, fmt.Sprintf("substring(%s from 1 for %s + 1)", c, limit))
		case capJSON:
			exprs = append(exprs, fmt.Sprintf("left(%s::text, %s + 1)", c, limit))
		case capOther:
			exprs = append(exprs, fmt.Sprintf("CASE WHEN octet_length(%s::text) > %s THEN NULL ELSE %s END", c, limit, c))
			flags = append(flags, fmt.Sprintf("coalesce(octet_length(%s::text) > %s, false)", c, limit))
		default:
			exprs = append(exprs, c)
		}
	}
	body := strings.TrimRight(strings.TrimSpace(sql), "; \t\r\n")
	q := fmt.Sprintf("SELECT %s FROM (\n%s\n) AS sluice_q(%s)", strings.Join(append(exprs, flags...), ", "), body, strings.Join(names, ", "))
	if maxRows > 0 {
		q += " LIMIT " + strconv.Itoa(maxRows+1)
	}
	return q
}

// collectCapped reads rows under the row limit, byte budget and value cap,
// looking at each row's raw lengths before decoding anything.
func collectCapped(rows pgx.Rows, types *pgtype.Map, st cappedStatement, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	fields := st.fields
	if fields == nil {
		fields = rows.FieldDescriptions()
	}
	wire := rows.FieldDescriptions()
	cols := make([]connectors.ResultColumn, len(fields))
	kinds := make([]connectors.Type, len(fields))
	for i, f := range fields {
		name := "unknown"
		if t, ok := types.TypeForOID(f.DataTypeOID); ok {
			name = t.Name
		}
		kinds[i] = typeOf(name, 0, 0)
		cols[i] = connectors.ResultColumn{Name: f.Name, Type: kinds[i], SourceType: name}
	}
	b := connectors.NewResultBuilder(cols, opts)
	valueCap := b.ValueCap()
	for rows.Next() {
		if !b.Room() {
			break
		}
		raw := rows.RawValues()
		var size int64
		long := false
		for i := range fields {
			n := len(raw[i])
			if n > valueCap {
				long, n = true, valueCap
			}
			size += int64(n) + 24
		}
		if !b.Fits(size) {
			break
		}
		values := make([]any, len(fields))
		for i, f := range fields {
			v, cut, err := decodeCapped(types, wire[i], f, raw[i], kinds[i], valueCap, long)
			if err != nil {
				return nil, err
			}
			if st.kinds != nil && st.kinds[i] == capOther && flagAt(raw, st, i) {
				v, cut = nil, true
			}
			if cut {
				b.MarkCut()
			}
			values[i] = v
		}
		if !b.Add(values) {
			break
		}
	}
	return b.Result(), rows.Err()
}

// flagAt reads the flag column that says column i was longer than the cap.
func flagAt(raw [][]byte, st cappedStatement, i int) bool {
	j := st.flagsAt
	for k := 0; k < i; k++ {
		if st.kinds[k] == capOther {
			j++
		}
	}
	if j >= len(raw) || len(raw[j]) == 0 {
		return false
	}
	return raw[j][0] == 1 || raw[j][0] == 't'
}

// decodeCapped decodes one raw value; a value longer than the cap keeps its
// first bytes when it is text, bytes or JSON, and is null otherwise.
func decodeCapped(types *pgtype.Map, wire, orig pgconn.FieldDescription, raw []byte, kind connectors.Type, valueCap int, maybeLong bool) (any, bool, error) {
	if raw == nil {
		return nil, false, nil
	}
	if kind.Kind == connectors.KindJSON {
		if len(raw) > valueCap {
			return connectors.JSON(connectors.CutString(string(rawJSON(wire.DataTypeOID, raw[:min(len(raw), valueCap+1)])), valueCap)), true, nil
		}
		return rawJSON(wire.DataTypeOID, raw), false, nil
	}
	if maybeLong && len(raw) > valueCap {
		switch {
		case kind.Kind == connectors.KindString:
			return connectors.CutString(string(raw[:valueCap+1]), valueCap), true, nil
		case kind.Kind == connectors.KindBytes && wire.Format == pgx.BinaryFormatCode:
			return append([]byte(nil), raw[:valueCap]...), true, nil
		}
		return nil, true, nil
	}
	t, ok := types.TypeForOID(wire.DataTypeOID)
	if !ok {
		return string(raw), false, nil
	}
	v, err := t.Codec.DecodeValue(types, wire.DataTypeOID, wire.Format, raw)
	if err != nil {
		return nil, false, fmt.Errorf("decode column %s: %w", orig.Name, err)
	}
	return normalize(v, kind), false, nil
}
