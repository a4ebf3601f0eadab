package postgres

import (
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// batchMaxBytes ends a batch early once its values hold this many bytes, so
// the batches in the pipe stay small however wide the rows.
const batchMaxBytes = 4 << 20

// batcher decodes raw binary values into column batches, hands full ones to
// the sink through the pipe, and remembers the OrderBy key of the last row
// and the greatest cursor value.
type batcher struct {
	fields  []pgconnField
	types   []connectors.Type
	codecs  []pgtype.Codec
	kinds   []decodeKind
	scales  []int
	m       *pgtype.Map
	pipe    *connectors.BatchPipe
	stats   *connectors.ReadStats
	size    int
	cur     *connectors.ColumnBatch
	bytes   int // value bytes in cur
	keyIdx  []int
	lastKey []any
	rows    int64
	cursor  int
}

func newBatcher(req connectors.ReadRequest, fields []pgconnField, m *pgtype.Map, pipe *connectors.BatchPipe, stats *connectors.ReadStats) *batcher {
	b := &batcher{fields: fields, m: m, pipe: pipe, stats: stats, size: req.BatchSize, cursor: -1}
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
		b.scales = append(b.scales, declared.Scale)
	}
	for _, k := range req.OrderBy {
		b.keyIdx = append(b.keyIdx, slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == k }))
	}
	if req.CursorField != "" {
		b.cursor = slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == req.CursorField })
	}
	return b
}

// addRaw decodes one row of binary values into the current batch.
func (b *batcher) addRaw(raw [][]byte) error {
	if b.cur == nil {
		batch, err := b.pipe.Get()
		if err != nil {
			return err
		}
		b.start(batch)
	}
	for i, src := range raw {
		v := &b.cur.Cols[i]
		if src == nil {
			v.AppendNull()
			continue
		}
		b.stats.Bytes += int64(len(src))
		b.bytes += len(src)
		if v.Layout != connectors.LayoutValues {
			ok, err := appendFixed(v, b.kinds[i], src)
			if err != nil {
				return fmt.Errorf("decode column %s: %w", b.fields[i].name, err)
			}
			if ok {
				continue
			}
			v.Demote(b.cur.Len) // a value the layout cannot hold: this batch keeps values
		}
		val, err := b.value(i, src)
		if err != nil {
			return err
		}
		v.Values = append(v.Values, val)
		v.Nulls = append(v.Nulls, false)
	}
	b.cur.Len++
	b.rows++
	b.stats.Rows++
	if b.cur.Len >= b.size || b.bytes >= batchMaxBytes {
		return b.flush()
	}
	return nil
}

// start sets up an empty batch with the columns' layouts.
func (b *batcher) start(batch *connectors.ColumnBatch) {
	if len(batch.Cols) != len(b.fields) {
		batch.Cols = make([]connectors.ColumnVector, len(b.fields))
	}
	for i := range batch.Cols {
		batch.Cols[i].Layout, batch.Cols[i].Scale = layoutOf(b.kinds[i]), b.scales[i]
	}
	b.cur = batch
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

// flush hands the current batch to the sink, noting its last key and its
// greatest cursor value first.
func (b *batcher) flush() error {
	if b.cur == nil || b.cur.Len == 0 {
		return nil
	}
	if len(b.keyIdx) > 0 {
		b.lastKey = b.cur.KeyOf(b.cur.Len-1, b.keyIdx)
	}
	if b.cursor >= 0 {
		b.stats.MaxCursor = b.cur.GreatestOf(b.cursor, b.stats.MaxCursor)
	}
	b.pipe.Put(b.cur)
	b.cur, b.bytes = nil, 0
	return nil
}
