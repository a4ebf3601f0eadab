package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
)

// pgoutput's row messages (insert, update, delete: nearly all of a stream)
// are read here rather than by pglogrepl.Parse, whose message, tuple and
// per-column structs cost more than decoding the values in them.

// ErrMovedRowUnknown is an update that moved a row to a new key without
// sending all of it: retrying streams the same message again.
var ErrMovedRowUnknown = errors.New("a moved row's values are unknown")

// errShortMessage is a row message that ends before its tuple does.
var errShortMessage = errors.New("pgoutput row message ends early")

// rowMessage delivers an insert ('I'), update ('U') or delete ('D') message
// as a change. An update that changed the row's key also carries the old key
// ('K'), or the whole old row under REPLICA IDENTITY FULL ('O'): it is
// delivered as the old key's delete, then the new row.
func (s *stream) rowMessage(ctx context.Context, data []byte) error {
	if len(data) < 6 {
		return errShortMessage
	}
	rel, err := s.rel(binary.BigEndian.Uint32(data[1:5]))
	if err != nil {
		return err
	}
	kind, tuple := ChangeUpsert, data[5:]
	var hasOld bool
	switch data[0] {
	case 'U':
		if tuple[0] == 'K' || tuple[0] == 'O' {
			if tuple, err = s.oldTuple(rel, tuple); err != nil {
				return err
			}
			hasOld = true
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
	if hasOld {
		return s.keyChange(ctx, rel, c)
	}
	return s.h.Change(ctx, c)
}

// oldTuple keeps an update's old key or old row in s.old and returns the
// rest of the message, the new row.
func (s *stream) oldTuple(rel *relation, tuple []byte) ([]byte, error) {
	n, err := tupleLength(tuple[1:])
	if err != nil {
		return nil, fmt.Errorf("decode a change of %s: %w", rel.table, err)
	}
	old, err := s.tuple(rel, ChangeUpsert, tuple[1:1+n])
	if err != nil {
		return nil, err
	}
	s.old = append(resize(s.old, 0), old.Values...)
	s.oldUnsent = append(resize(s.oldUnsent, 0), old.Unchanged...)
	if tuple[0] == 'K' { // only the key columns were sent
		for i := range s.oldUnsent {
			s.oldUnsent[i] = s.oldUnsent[i] || !rel.keyCols[i]
		}
	}
	return tuple[1+n:], nil
}

// keyChange delivers an update that came with its old key or row: when the
// replica identity changed (the primary key; under REPLICA IDENTITY FULL any
// column, and a delete and upsert of one key nets to the upsert), the old
// row's delete first. A value the update did not send
// (TOASTed, unchanged) is the old row's; when the old row is not known (only
// its key was sent) the change cannot be applied exactly, and fails saying
// how to make it so.
func (s *stream) keyChange(ctx context.Context, rel *relation, c Change) error {
	moved := false
	for i, key := range rel.keyCols {
		if key && !s.oldUnsent[i] && !reflect.DeepEqual(s.old[i], c.Values[i]) {
			moved = true
		}
	}
	for i := range c.Unchanged {
		if !c.Unchanged[i] {
			continue
		}
		if s.oldUnsent[i] {
			if moved {
				return fmt.Errorf("%w: an UPDATE of %s changed a row's primary key and did not send its unchanged large (TOASTed) column %s, "+
					"so sluice cannot know its value; run ALTER TABLE %s REPLICA IDENTITY FULL on the source, then replay the sync with a fresh snapshot",
					ErrMovedRowUnknown, rel.table, rel.names[i], rel.table)
			}
			continue
		}
		c.Values[i], c.Unchanged[i] = s.old[i], false
	}
	if moved {
		gone := Change{Kind: ChangeDelete, Table: rel.table, Columns: rel.names, Values: s.old, Unchanged: s.oldUnsent}
		for i, key := range rel.keyCols {
			gone.Unchanged[i] = !key
		}
		if err := s.h.Change(ctx, gone); err != nil {
			return err
		}
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
		case typ == 't' || typ == 'b':
			var v any
			var err error
			if typ == 'b' {
				v, err = s.decodeBinary(rel, i, value)
			} else {
				v, err = s.decode(rel, i, value)
			}
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
