package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// pgoutput's row messages (insert, update, delete: nearly all of a stream)
// are read here rather than by pglogrepl.Parse, whose message, tuple and
// per-column structs cost more than decoding the values in them.

// errShortMessage is a row message that ends before its tuple does.
var errShortMessage = errors.New("pgoutput row message ends early")

// rowMessage delivers an insert ('I'), update ('U') or delete ('D') message
// as a change. An update's old key (sent when the key changed) and old row
// (REPLICA IDENTITY FULL) are skipped: its new row is the change.
func (s *stream) rowMessage(ctx context.Context, data []byte) error {
	if len(data) < 6 {
		return errShortMessage
	}
	rel, err := s.rel(binary.BigEndian.Uint32(data[1:5]))
	if err != nil {
		return err
	}
	kind, tuple := ChangeUpsert, data[5:]
	switch data[0] {
	case 'U':
		if tuple[0] == 'K' || tuple[0] == 'O' {
			n, err := tupleLength(tuple[1:])
			if err != nil {
				return fmt.Errorf("decode a change of %s: %w", rel.table, err)
			}
			tuple = tuple[1+n:]
		}
	case 'D':
		kind = ChangeDelete
	}
	if len(tuple) == 0 || (tuple[0] != 'N' && tuple[0] != 'K' && tuple[0] != 'O') {
		return fmt.Errorf("a change of %s carried no row", rel.table)
	}
	c, err := s.tuple(rel, kind, tuple[1:])
	if err != nil {
		return err
	}
	return s.h.Change(ctx, c)
}

// tuple decodes a tuple's columns into the stream's reused change.
func (s *stream) tuple(rel *relation, kind ChangeKind, data []byte) (Change, error) {
	n := len(rel.names)
	s.values = resize(s.values, n)
	s.unchanged = resize(s.unchanged, n)
	c := Change{Kind: kind, Table: rel.table, Columns: rel.names, Values: s.values, Unchanged: s.unchanged}
	if len(data) < 2 {
		return c, errShortMessage
	}
	cols, pos := int(binary.BigEndian.Uint16(data)), 2
	for i := 0; i < cols; i++ {
		if pos >= len(data) {
			return c, errShortMessage
		}
		typ := data[pos]
		pos++
		var value []byte
		if typ == 't' || typ == 'b' {
			if pos+4 > len(data) {
				return c, errShortMessage
			}
			l := int(binary.BigEndian.Uint32(data[pos:]))
			pos += 4
			if l < 0 || pos+l > len(data) {
				return c, errShortMessage
			}
			value, pos = data[pos:pos+l], pos+l
		}
		if i >= n {
			continue // a column added after the relation was described
		}
		switch {
		case kind == ChangeDelete && !rel.keyCols[i], typ == 'u':
			c.Unchanged[i] = true
		case typ == 't':
			v, err := s.decode(rel, i, value)
			if err != nil {
				return c, fmt.Errorf("decode %s.%s: %w", rel.table, rel.names[i], err)
			}
			c.Values[i] = v
		case typ == 'n':
		default:
			return c, fmt.Errorf("decode %s.%s: pgoutput sent a value of kind %q", rel.table, rel.names[i], typ)
		}
	}
	return c, nil
}

// tupleLength is the length in bytes of the tuple data starts with.
func tupleLength(data []byte) (int, error) {
	if len(data) < 2 {
		return 0, errShortMessage
	}
	cols, pos := int(binary.BigEndian.Uint16(data)), 2
	for i := 0; i < cols; i++ {
		if pos >= len(data) {
			return 0, errShortMessage
		}
		typ := data[pos]
		pos++
		if typ == 't' || typ == 'b' {
			if pos+4 > len(data) {
				return 0, errShortMessage
			}
			pos += 4 + int(binary.BigEndian.Uint32(data[pos:]))
		}
	}
	if pos > len(data) {
		return 0, errShortMessage
	}
	return pos, nil
}

// resize returns s with n zero elements, reusing its memory.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
