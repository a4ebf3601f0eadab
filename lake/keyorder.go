package lake

import (
	"bytes"
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/sluice-dev/sluice/connectors"
)

// keyOrder checks, row by row, whether a file's rows strictly ascend by its
// key columns, and remembers the file's first and last key. Ints compare as
// numbers, strings and UUIDs bytewise; other kinds are never tracked.
type keyOrder struct {
	names     []string
	idx       []int
	ints      []bool
	lastInt   []int64
	lastBytes [][]byte
	first     []string
	rows      int64
	ascending bool
}

// orderedKind reports whether keyOrder knows the order of a kind, and
// whether it compares as an int.
func orderedKind(k connectors.Kind) (isInt, ok bool) {
	switch k {
	case connectors.KindInt:
		return true, true
	case connectors.KindString, connectors.KindUUID:
		return false, true
	}
	return false, false
}

// newKeyOrder tracks the named columns of cols, or returns an error naming
// a column that is missing or of a kind without a known order.
func newKeyOrder(cols []FileColumn, names []string) (*keyOrder, error) {
	k := &keyOrder{names: slices.Clone(names)}
	for _, n := range names {
		i := slices.IndexFunc(cols, func(c FileColumn) bool { return c.Name == n })
		if i < 0 {
			return nil, fmt.Errorf("key column %q is not among the writer's columns", n)
		}
		isInt, ok := orderedKind(cols[i].Type.Kind)
		if !ok {
			return nil, fmt.Errorf("key column %q is a %s, whose order the writer does not track", n, cols[i].Type.Kind)
		}
		k.idx = append(k.idx, i)
		k.ints = append(k.ints, isInt)
	}
	k.lastInt = make([]int64, len(names))
	k.lastBytes = make([][]byte, len(names))
	k.reset()
	return k, nil
}

// reset starts a new file.
func (k *keyOrder) reset() {
	k.rows, k.ascending, k.first = 0, true, nil
}

// observe checks one row of staged values (int64 for ints, string for
// strings and UUIDs); a NULL key part ends the order.
func (k *keyOrder) observe(row []driver.Value) {
	if !k.ascending {
		return
	}
	cmp := 0
	for j, i := range k.idx {
		c, ok := 0, false
		switch v := row[i].(type) {
		case int64:
			c, ok = k.nextInt(j, v)
		case string:
			c, ok = k.nextBytes(j, unsafeBytes(v))
		}
		if !ok { // NULL, or a value the staging did not turn into an int or a string
			k.ascending = false
			return
		}
		if cmp == 0 {
			cmp = c
		}
	}
	k.advance(cmp)
}

// observeColumns checks rows [start, start+n) of a column batch.
func (k *keyOrder) observeColumns(cols []connectors.ColumnVector, start, n int) {
	for r := start; r < start+n && k.ascending; r++ {
		cmp := 0
		for j, i := range k.idx {
			v := &cols[i]
			c, ok := 0, false
			switch {
			case v.Layout == connectors.LayoutValues:
				switch x := v.Values[r].(type) {
				case int64:
					c, ok = k.nextInt(j, x)
				case string:
					c, ok = k.nextBytes(j, unsafeBytes(x))
				}
			case v.Nulls[r]:
			case v.Layout == connectors.LayoutInt64:
				c, ok = k.nextInt(j, v.Ints[r])
			case v.Layout == connectors.LayoutText:
				c, ok = k.nextBytes(j, v.Bytes(r))
			}
			if !ok {
				k.ascending = false
				return
			}
			if cmp == 0 {
				cmp = c
			}
		}
		k.advance(cmp)
	}
}

// nextInt compares key part j with the last row's and remembers it.
func (k *keyOrder) nextInt(j int, v int64) (int, bool) {
	if !k.ints[j] {
		return 0, false
	}
	c := compareInt(v, k.lastInt[j])
	k.lastInt[j] = v
	return c, true
}

// nextBytes compares key part j with the last row's and remembers a copy.
func (k *keyOrder) nextBytes(j int, b []byte) (int, bool) {
	if k.ints[j] {
		return 0, false
	}
	c := bytes.Compare(b, k.lastBytes[j])
	k.lastBytes[j] = append(k.lastBytes[j][:0], b...)
	return c, true
}

// advance ends the order unless the row's key (compared as cmp with the
// last) is the file's first or greater.
func (k *keyOrder) advance(cmp int) {
	if k.rows > 0 && cmp <= 0 {
		k.ascending = false
		return
	}
	if k.rows == 0 {
		k.first = k.text()
	}
	k.rows++
}

// unsafeBytes views a string's bytes without copying; they must not change.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// text renders the last key as StagedFile records it.
func (k *keyOrder) text() []string {
	out := make([]string, len(k.idx))
	for j := range k.idx {
		if k.ints[j] {
			out[j] = strconv.FormatInt(k.lastInt[j], 10)
		} else {
			out[j] = string(k.lastBytes[j])
		}
	}
	return out
}

// keyMark is a file's key order as its writer saw it, applied once the
// file is written.
type keyMark struct {
	names, first, last []string
	rows               int64
}

// result returns the current file's mark; nil tracking marks nothing.
func (k *keyOrder) result() keyMark {
	if k == nil || !k.ascending || k.rows == 0 {
		return keyMark{}
	}
	return keyMark{names: k.names, first: k.first, last: k.text(), rows: k.rows}
}

// covers reports whether the mark holds for all of a file's rows.
func (m keyMark) covers(rows int64) bool { return m.rows > 0 && m.rows == rows }

// apply records the key order in f when it covers every row of f.
func (m keyMark) apply(f *StagedFile) {
	if !m.covers(f.Rows) {
		return
	}
	f.KeyColumns, f.FirstKey, f.LastKey = m.names, m.first, m.last
}

// keysUnique reports whether files, each marked as strictly ascending by
// keys, hold no key twice: their key ranges, compared in the lake's column
// kinds, do not overlap.
func keysUnique(files []StagedFile, keys []string, keyCols []schemaColumn) bool {
	ints := make([]bool, len(keyCols))
	for i, c := range keyCols {
		isInt, ok := orderedKind(c.Type.Kind)
		if !ok {
			return false
		}
		ints[i] = isInt
	}
	ranges := make([]StagedFile, 0, len(files))
	for _, f := range files {
		if !slices.Equal(f.KeyColumns, keys) || len(f.FirstKey) != len(keys) || len(f.LastKey) != len(keys) {
			return false
		}
		for j, name := range keys { // the file's key columns must be of the kinds compared
			i := slices.IndexFunc(f.Columns, func(c FileColumn) bool { return c.Name == name })
			if i < 0 {
				return false
			}
			if isInt, ok := orderedKind(f.Columns[i].Type.Kind); !ok || isInt != ints[j] {
				return false
			}
		}
		ranges = append(ranges, f)
	}
	var bad bool
	slices.SortFunc(ranges, func(a, b StagedFile) int {
		c, ok := compareKeys(a.FirstKey, b.FirstKey, ints)
		bad = bad || !ok
		return c
	})
	for i := 1; i < len(ranges) && !bad; i++ {
		c, ok := compareKeys(ranges[i-1].LastKey, ranges[i].FirstKey, ints)
		if !ok || c >= 0 {
			return false
		}
	}
	return !bad
}

// compareKeys compares two recorded keys; ok is false when an int part
// does not parse.
func compareKeys(a, b []string, ints []bool) (int, bool) {
	for j := range a {
		if !ints[j] {
			if c := strings.Compare(a[j], b[j]); c != 0 {
				return c, true
			}
			continue
		}
		x, err1 := strconv.ParseInt(a[j], 10, 64)
		y, err2 := strconv.ParseInt(b[j], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, false
		}
		if c := compareInt(x, y); c != 0 {
			return c, true
		}
	}
	return 0, true
}
