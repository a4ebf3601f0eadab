package postgres

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// batcher decodes raw binary values into sluice values and hands them to the
// sink in batches, remembering the OrderBy key of the last row.
type batcher struct {
	fields  []pgconnField
	types   []connectors.Type
	codecs  []pgtype.Codec
	m       *pgtype.Map
	sink    connectors.RowSink
	stats   *connectors.ReadStats
	size    int
	batch   [][]any
	keyIdx  []int
	lastKey []any
	rows    int64
	cursor  int
}

func newBatcher(req connectors.ReadRequest, fields []pgconnField, m *pgtype.Map, sink connectors.RowSink, stats *connectors.ReadStats) *batcher {
	b := &batcher{fields: fields, m: m, sink: sink, stats: stats, size: req.BatchSize, cursor: -1}
	for _, f := range fields {
		name, codec := "unknown", pgtype.Codec(nil)
		if t, ok := m.TypeForOID(f.oid); ok {
			name, codec = t.Name, t.Codec
		}
		b.types = append(b.types, typeOf(name, 0, 0))
		b.codecs = append(b.codecs, codec)
	}
	for _, k := range req.OrderBy {
		b.keyIdx = append(b.keyIdx, slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == k }))
	}
	if req.CursorField != "" {
		b.cursor = slices.IndexFunc(fields, func(f pgconnField) bool { return f.name == req.CursorField })
	}
	return b
}

// addRaw decodes one row of binary values.
func (b *batcher) addRaw(ctx context.Context, raw [][]byte) error {
	row := make([]any, len(raw))
	for i, src := range raw {
		if src == nil {
			continue
		}
		b.stats.Bytes += int64(len(src))
		if b.types[i].Kind == connectors.KindJSON {
			row[i] = rawJSON(b.fields[i].oid, slices.Clone(src))
			continue
		}
		if b.codecs[i] == nil { // a type pgx does not know: its binary form is opaque, keep bytes
			row[i] = string(src)
			continue
		}
		v, err := b.codecs[i].DecodeValue(b.m, b.fields[i].oid, pgtype.BinaryFormatCode, src)
		if err != nil {
			return fmt.Errorf("decode column %s: %w", b.fields[i].name, err)
		}
		if bytes, ok := v.([]byte); ok {
			v = slices.Clone(bytes) // src is a reused buffer
		}
		row[i] = normalize(v, b.types[i])
	}
	b.batch = append(b.batch, row)
	b.rows++
	b.stats.Rows++
	if b.cursor >= 0 && row[b.cursor] != nil && connectors.CursorGreater(row[b.cursor], b.stats.MaxCursor) {
		b.stats.MaxCursor = row[b.cursor]
	}
	if len(b.batch) >= b.size {
		return b.flush(ctx)
	}
	return nil
}

func (b *batcher) flush(ctx context.Context) error {
	if len(b.batch) == 0 {
		return nil
	}
	if len(b.keyIdx) > 0 {
		last := b.batch[len(b.batch)-1]
		b.lastKey = make([]any, len(b.keyIdx))
		for i, k := range b.keyIdx {
			b.lastKey[i] = last[k]
		}
	}
	err := b.sink.WriteBatch(ctx, b.batch)
	b.batch = make([][]any, 0, b.size)
	return err
}

// decodeBinaryCopy parses PostgreSQL's binary COPY format: a signature, flags
// and header extension, then tuples of (int16 field count, then per field an
// int32 length, -1 for NULL, and the bytes), ended by a field count of -1.
func decodeBinaryCopy(r io.Reader, nfields int, row func([][]byte) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	header := make([]byte, 19)
	if _, err := io.ReadFull(br, header); err != nil {
		return fmt.Errorf("read COPY header: %w", err)
	}
	if string(header[:11]) != "PGCOPY\n\xff\r\n\x00" {
		return errors.New("not a binary COPY stream")
	}
	if ext := binary.BigEndian.Uint32(header[15:19]); ext > 0 {
		if _, err := br.Discard(int(ext)); err != nil {
			return fmt.Errorf("skip COPY header extension: %w", err)
		}
	}
	raw := make([][]byte, nfields)
	scratch := make([]byte, 0, 4096) // reused: decoded values copy what they keep
	var word [4]byte
	for {
		if _, err := io.ReadFull(br, word[:2]); err != nil {
			return fmt.Errorf("read tuple: %w", err)
		}
		n := int16(binary.BigEndian.Uint16(word[:2]))
		if n == -1 {
			return nil
		}
		if int(n) != nfields {
			return fmt.Errorf("tuple has %d fields, want %d", n, nfields)
		}
		scratch = scratch[:0]
		for i := range raw {
			if _, err := io.ReadFull(br, word[:4]); err != nil {
				return fmt.Errorf("read field length: %w", err)
			}
			size := int32(binary.BigEndian.Uint32(word[:4]))
			if size < 0 {
				raw[i] = nil
				continue
			}
			start := len(scratch)
			scratch = slices.Grow(scratch, int(size))[:start+int(size)]
			if _, err := io.ReadFull(br, scratch[start:]); err != nil {
				return fmt.Errorf("read field: %w", err)
			}
			raw[i] = scratch[start:]
		}
		if err := row(raw); err != nil {
			return err
		}
	}
}
