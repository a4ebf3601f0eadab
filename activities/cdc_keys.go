package activities

// pendingKeys maps a table's keys to the store row of their last change. A
// key of one integer column, the common primary key, is looked up by its
// value; other keys by their keyString encoding. (Encoding every key and
// hashing the string took most of the time a change was folded in.)
type pendingKeys struct {
	ints map[int64]int
	strs map[string]int
	// buf holds the last key encoded, reused by the next.
	buf []byte
}

func newPendingKeys() *pendingKeys {
	return &pendingKeys{ints: map[int64]int{}, strs: map[string]int{}}
}

// find returns the row of key's last change.
func (p *pendingKeys) find(key []any) (int, bool) {
	if n, ok := intKey(key); ok {
		row, had := p.ints[n]
		return row, had
	}
	p.buf = appendKeyString(p.buf[:0], key)
	row, had := p.strs[string(p.buf)] // looked up without a copy of the key
	return row, had
}

// set records row as key's last change.
func (p *pendingKeys) set(key []any, row int) {
	if n, ok := intKey(key); ok {
		p.ints[n] = row
		return
	}
	p.buf = appendKeyString(p.buf[:0], key)
	p.strs[string(p.buf)] = row
}

// entryBytes estimates what the last key set takes in its map.
func (p *pendingKeys) entryBytes(key []any) int64 {
	if _, ok := intKey(key); ok {
		return 32
	}
	return int64(len(p.buf)) + 64
}

func (p *pendingKeys) len() int { return len(p.ints) + len(p.strs) }

func (p *pendingKeys) clear() {
	clear(p.ints)
	clear(p.strs)
}

// intKey returns a key of one integer value as that value. A column's
// values always come in one form, so a key is never found under both.
func intKey(key []any) (int64, bool) {
	if len(key) != 1 {
		return 0, false
	}
	n, ok := key[0].(int64)
	return n, ok
}

// appendKeyString appends key as keyString writes it.
func appendKeyString(dst []byte, key []any) []byte {
	for _, v := range key {
		dst = appendKey(dst, v)
	}
	return dst
}
