package postgres

import (
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// batcher decodes raw binary values into column batches, hands full ones to
// the sink through the pipe, and remembers the OrderBy key of the last row
// and the greatest cursor value.
type batcher struct {
	connectors.BatchFiller
	fields []pgconnField
	types  []connectors.Type
	codecs []pgtype.Codec
	kinds  []decodeKind
	m      *pgtype.Map
}

func newBatcher(req connectors.ReadRequest, fields []pgconnField, m *pgtype.Map, pipe *connectors.BatchPipe, stats *connectors.ReadStats) *batcher {
	b := &batcher{BatchFiller: connectors.BatchFiller{Pipe: pipe, Stats: stats, Size: req.BatchSize, Cursor: -1}, fields: fields, m: m}
	for i, f := range fields {
		name, codec := "unknown", pgtype.Codec(nil)
		if t, ok := m.TypeForOID(f.oid); ok {
			name, codec = t.Name, t.Codec
		}
		b.types = append(b.types, typeOf(name, 0, 0))
		b.codecs = append(b.codecs, codec)
		declared := b.types[i] // the discovered type carries a numeric's precision and scale
		if i < len(req.Columns) && req.Columns[i].Name == f.name {
			declared = req.Columns[i].Type
		}
		b.kinds = append(b.kinds, decodeKindFor(f.oid, declared, codec != nil))
		b.Layouts = append(b.Layouts, layoutOf(b.kinds[i]))
		b.Scales = append(b.Scales, declared.Scale)
	}
	for _, k := range req.OrderBy {
		b.KeyIdx = append(b.KeyIdx, slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == k }))
	}
	if req.CursorField != "" {
		b.Cursor = slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == req.CursorField })
	}
	return b
}

// addRaw decodes one row of binary values into the current batch.
func (b *batcher) addRaw(raw [][]byte) error {
	if err := b.Row(); err != nil {
		return err
	}
	for i, src := range raw {
		v := &b.Cur.Cols[i]
		if src == nil {
			v.AppendNull()
			continue
		}
		b.Stats.Bytes += int64(len(src))
		b.Bytes += len(src)
		if v.Layout != connectors.LayoutValues {
			ok, err := appendFixed(v, b.kinds[i], src)
			if err != nil {
				return fmt.Errorf("decode column %s: %w", b.fields[i].name, err)
			}
			if ok {
				continue
			}
			v.Demote(b.Cur.Len) // a value the layout cannot hold: this batch keeps values
		}
		val, err := b.value(i, src)
		if err != nil {
			return err
		}
		v.Values = append(v.Values, val)
		v.Nulls = append(v.Nulls, false)
	}
	b.EndRow()
	return nil
}

// value decodes a value with pgx into connectors.ResultSet's form.
func (b *batcher) value(i int, src []byte) (any, error) {
	if b.types[i].Kind == connectors.KindJSON {
		return rawJSON(b.fields[i].oid, slices.Clone(src)), nil
	}
	if b.codecs[i] == nil { // a type pgx does not know: its binary form is opaque, keep bytes
		return string(src), nil
	}
	v, err := b.codecs[i].DecodeValue(b.m, b.fields[i].oid, pgtype.BinaryFormatCode, src)
	if err != nil {
		return nil, fmt.Errorf("decode column %s: %w", b.fields[i].name, err)
	}
	if bytes, ok := v.([]byte); ok {
		v = slices.Clone(bytes) // src is a reused buffer
	}
	return normalize(v, b.types[i]), nil
}
