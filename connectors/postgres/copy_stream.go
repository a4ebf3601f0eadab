package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// copyStream parses PostgreSQL's binary COPY format as pgx writes it the
// CopyData messages, in the receiving goroutine: a signature, flags and
// header extension, then tuples of (int16 field count, then per field an
// int32 length, -1 for NULL, and the bytes), ended by a field count of -1.
// Server messages usually hold whole tuples, which are parsed in place; a
// tuple split across messages is gathered first.
type copyStream struct {
	nfields int
	row     func([][]byte) error // the values alias the stream's buffers
	raw     [][]byte
	pending []byte
	header  bool
	done    bool
}

func newCopyStream(nfields int, row func([][]byte) error) *copyStream {
	return &copyStream{nfields: nfields, row: row, raw: make([][]byte, nfields)}
}

// copySignature opens every binary COPY stream.
const copySignature = "PGCOPY\n\xff\r\n\x00"

// Write parses every complete tuple in p (after any kept from the last
// write) and keeps the incomplete rest.
func (s *copyStream) Write(p []byte) (int, error) {
	n := len(p)
	buf := p
	if len(s.pending) > 0 {
		s.pending = append(s.pending, p...)
		buf = s.pending
	}
	used, err := s.parse(buf)
	if err != nil {
		return n, err
	}
	s.pending = append(s.pending[:0], buf[used:]...) // copy handles the overlap
	return n, nil
}

// parse consumes complete units (the header, tuples, the trailer) from buf.
func (s *copyStream) parse(buf []byte) (int, error) {
	used := 0
	if !s.header {
		if len(buf) < 19 {
			return 0, nil
		}
		if string(buf[:11]) != copySignature {
			return 0, errors.New("not a binary COPY stream")
		}
		ext := int(binary.BigEndian.Uint32(buf[15:19]))
		if len(buf) < 19+ext {
			return 0, nil
		}
		s.header, used = true, 19+ext
	}
	for !s.done {
		end, err := s.tuple(buf[used:])
		if err != nil || end == 0 {
			return used, err
		}
		used += end
	}
	if used < len(buf) {
		return used, errors.New("data after the end of the COPY stream")
	}
	return used, nil
}

// tuple parses one tuple at the start of buf and returns its length, or 0
// when buf does not hold all of it yet.
func (s *copyStream) tuple(buf []byte) (int, error) {
	if len(buf) < 2 {
		return 0, nil
	}
	count := int(int16(binary.BigEndian.Uint16(buf)))
	if count == -1 {
		s.done = true
		return 2, nil
	}
	if count != s.nfields {
		return 0, fmt.Errorf("tuple has %d fields, want %d", count, s.nfields)
	}
	at := 2
	for i := range s.raw {
		if len(buf) < at+4 {
			return 0, nil
		}
		size := int(int32(binary.BigEndian.Uint32(buf[at:])))
		at += 4
		if size < 0 {
			s.raw[i] = nil
			continue
		}
		if len(buf) < at+size {
			return 0, nil
		}
		s.raw[i] = buf[at : at+size : at+size]
		at += size
	}
	return at, s.row(s.raw)
}

// finish reports a stream that ended early.
func (s *copyStream) finish() error {
	if !s.done || len(s.pending) > 0 {
		return errors.New("the COPY stream ended early")
	}
	return nil
}
