package connectors

import (
	"unicode/utf8"
)

// An answer is bounded by bytes as well as rows: a handful of rows of huge
// values, or many rows of large ones, would otherwise be held whole in memory
// (a 200 MB text value took 1.2 GB of sluice's memory on its way to JSON).

// Defaults of QueryOptions.MaxBytes and MaxValueBytes.
const (
	DefaultMaxResultBytes int64 = 32 << 20
	DefaultMaxValueBytes  int   = 1 << 20
)

// Why a ResultSet is truncated.
const (
	// TruncatedRows: the row limit was reached and more rows were available.
	TruncatedRows = "rows"
	// TruncatedBytes: the answer's byte budget was reached; the rows read so
	// far are returned.
	TruncatedBytes = "bytes"
	// TruncatedValueBytes: every row is there, but at least one value longer
	// than the per-value cap was cut to the cap (text and bytes keep their
	// first bytes, JSON longer than the cap becomes its cut text as a string,
	// other values become null).
	TruncatedValueBytes = "value_bytes"
)

// valueOverhead approximates a value's cost beyond its bytes in memory and
// in the JSON answer (the interface, quotes, comma, the row's key).
const valueOverhead = 24

// Limits returns the byte budget and per-value cap of opts, with defaults.
func (o QueryOptions) Limits() (maxBytes int64, maxValue int) {
	maxBytes, maxValue = o.MaxBytes, o.MaxValueBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxResultBytes
	}
	if maxValue <= 0 {
		maxValue = DefaultMaxValueBytes
	}
	if int64(maxValue) > maxBytes {
		maxValue = int(maxBytes)
	}
	return maxBytes, maxValue
}

// ResultBuilder collects rows under a row limit, a byte budget and a
// per-value cap. Connectors read row by row and ask it before they decode:
// Room before reading a row, Fits with the row's size on the wire where the
// driver knows it, then Add.
type ResultBuilder struct {
	res      *ResultSet
	maxRows  int
	maxBytes int64
	valueCap int
	used     int64
	names    int64 // the bytes of every column name, which each row repeats
	cut      bool
}

// NewResultBuilder starts a result with these columns under opts' limits.
func NewResultBuilder(cols []ResultColumn, opts QueryOptions) *ResultBuilder {
	maxBytes, maxValue := opts.Limits()
	b := &ResultBuilder{res: &ResultSet{Columns: cols, Rows: [][]any{}}, maxRows: opts.MaxRows, maxBytes: maxBytes, valueCap: maxValue}
	b.SetColumns(cols)
	return b
}

// SetColumns sets the columns when they are known only after the first
// page (BigQuery).
func (b *ResultBuilder) SetColumns(cols []ResultColumn) {
	b.res.Columns = cols
	b.names = 0
	for _, c := range cols {
		b.names += int64(len(c.Name))
	}
}

// ValueCap is the most bytes one value may have.
func (b *ResultBuilder) ValueCap() int { return b.valueCap }

// Room reports whether another row may be read; at the row limit it marks
// the result truncated (the caller knows a further row exists).
func (b *ResultBuilder) Room() bool {
	if b.res.Truncated {
		return false
	}
	if b.maxRows > 0 && len(b.res.Rows) >= b.maxRows {
		b.stop(TruncatedRows)
		return false
	}
	return true
}

// Fits reports whether a row of about n bytes (its values' sizes on the
// wire, each already capped) fits the budget; otherwise it marks the result
// truncated by bytes and the caller stops before decoding the row.
func (b *ResultBuilder) Fits(n int64) bool {
	if b.res.Truncated {
		return false
	}
	if b.used+n+b.rowOverhead() > b.maxBytes {
		b.stop(TruncatedBytes)
		return false
	}
	return true
}

// MarkCut records that a value was cut to the cap by the caller.
func (b *ResultBuilder) MarkCut() { b.cut = true }

// Add caps the row's values, then appends it if it fits the budget. It
// returns false when the row did not fit: the result is then truncated by
// bytes and the caller stops reading.
func (b *ResultBuilder) Add(row []any) bool {
	if b.res.Truncated {
		return false
	}
	var size int64
	for i, v := range row {
		capped, cut := CapValue(v, b.valueCap)
		if cut {
			b.cut = true
			row[i] = capped
		}
		size += ValueSize(row[i])
	}
	if b.used+size+b.rowOverhead() > b.maxBytes {
		b.stop(TruncatedBytes)
		return false
	}
	b.used += size + b.rowOverhead()
	b.res.Rows = append(b.res.Rows, row)
	return true
}

// Used is the bytes counted so far.
func (b *ResultBuilder) Used() int64 { return b.used }

// Result is the collected result with its truncation flag and reason.
func (b *ResultBuilder) Result() *ResultSet {
	if !b.res.Truncated && b.cut {
		b.res.Truncated, b.res.TruncatedReason = true, TruncatedValueBytes
	}
	return b.res
}

func (b *ResultBuilder) stop(reason string) {
	b.res.Truncated, b.res.TruncatedReason = true, reason
}

func (b *ResultBuilder) rowOverhead() int64 {
	return b.names + valueOverhead*int64(len(b.res.Columns)) + 2
}

// CapValue cuts a value longer than limit bytes: strings at a character
// boundary, bytes at the limit, arrays after the elements that fit. It
// reports whether it cut.
func CapValue(v any, limit int) (any, bool) {
	switch x := v.(type) {
	case string:
		if len(x) > limit {
			return CutString(x, limit), true
		}
	case []byte:
		if len(x) > limit {
			return x[:limit:limit], true
		}
	case JSON:
		if len(x) > limit {
			// Cut JSON is not JSON; the API shows it as a string.
			return JSON(CutString(string(x), limit)), true
		}
	case Decimal:
		if len(x) > limit {
			return nil, true
		}
	case []any:
		var size int64
		cut := false
		for i, e := range x {
			if c, ok := CapValue(e, limit); ok {
				x[i], cut = c, true
			}
			size += ValueSize(x[i]) - valueOverhead + 1 // the bytes and a comma
			if size > int64(limit) {
				return x[:i:i], true
			}
		}
		return x, cut
	}
	return v, false
}

// CutString returns the longest prefix of s of at most n bytes that does not
// split a UTF-8 character.
func CutString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	end := n
	for end > 0 && end > n-utf8.UTFMax && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end]
}

// ValueSize approximates what a value costs in memory and in the answer.
func ValueSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(len(x)) + valueOverhead
	case []byte:
		return int64(len(x))*4/3 + valueOverhead // base64 in the answer
	case JSON:
		return int64(len(x)) + valueOverhead
	case Decimal:
		return int64(len(x)) + valueOverhead
	case []any:
		n := int64(valueOverhead)
		for _, e := range x {
			n += ValueSize(e)
		}
		return n
	}
	return valueOverhead + 8
}
