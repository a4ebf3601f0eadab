package mysql

import (
	"database/sql"

	"github.com/sluice-dev/sluice/connectors"
)

// collectCapped reads rows under the row limit, the byte budget and the
// per-value cap (connectors.ResultBuilder). Values are scanned as
// sql.RawBytes, the driver's own buffer, so a long value is measured and cut
// before it is copied; dates and times, short by nature, come parsed. What is
// left: the driver reads each row's packet whole (up to the server's
// max_allowed_packet) before sluice sees it.
func collectCapped(rows *sql.Rows, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	colTypes, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]connectors.ResultColumn, len(colTypes))
	types := make([]connectors.Type, len(colTypes))
	for i, ct := range colTypes {
		precision, scale, _ := ct.DecimalSize()
		types[i] = typeOf(ct.DatabaseTypeName(), "", int(precision), int(scale))
		cols[i] = connectors.ResultColumn{Name: ct.Name(), Type: types[i], SourceType: ct.DatabaseTypeName()}
	}
	b := connectors.NewResultBuilder(cols, opts)
	valueCap := b.ValueCap()
	raw := make([]sql.RawBytes, len(cols))
	parsed := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range ptrs {
		if parsedKind(types[i].Kind) {
			ptrs[i] = &parsed[i]
		} else {
			ptrs[i] = &raw[i]
		}
	}
	for rows.Next() {
		if !b.Room() {
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var size int64
		for i := range raw {
			size += int64(min(len(raw[i]), valueCap)) + 24
		}
		if !b.Fits(size) {
			break
		}
		values := make([]any, len(cols))
		for i := range values {
			switch {
			case parsedKind(types[i].Kind):
				values[i] = normalize(parsed[i], types[i])
			case raw[i] == nil:
				values[i] = nil
			case len(raw[i]) > valueCap:
				b.MarkCut()
				values[i] = cutText(raw[i], valueCap, types[i])
			default:
				values[i] = fromText(string(raw[i]), types[i])
			}
		}
		if !b.Add(values) {
			break
		}
	}
	return b.Result(), rows.Err()
}

// parsedKind: the driver parses these (ParseTime), so they are scanned as values.
func parsedKind(k connectors.Kind) bool {
	return k == connectors.KindDate || k == connectors.KindTimestamp || k == connectors.KindTimestampTZ
}

// cutText keeps the first valueCap bytes of a long text, bytes or JSON value;
// a long value of another kind (a number cannot be that long) is null.
func cutText(raw []byte, valueCap int, t connectors.Type) any {
	switch t.Kind {
	case connectors.KindBytes:
		return append([]byte(nil), raw[:valueCap]...)
	case connectors.KindJSON:
		return connectors.JSON(connectors.CutString(string(raw[:valueCap+1]), valueCap))
	case connectors.KindString:
		return connectors.CutString(string(raw[:valueCap+1]), valueCap)
	}
	return nil
}
