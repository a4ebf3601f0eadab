package lake

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/sluice-dev/sluice/connectors"
)

// The timestamps DuckDB's appender takes: years -290307 to 294246, as
// duckdb-go checks them.
var (
	minMicros = time.Date(-290307, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxMicros = time.Date(294247, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
)

// setValue writes a staged value (a stageColumn.convert result) into the
// chunk.
func (a *chunkAppender) setValue(c, row int, v driver.Value) error {
	p := a.phys[c]
	switch x := v.(type) {
	case nil:
		a.setNull(c, row)
		return nil
	case int64:
		switch p {
		case physInt64:
			a.setInt64(c, row, x)
			return nil
		case physInt128:
			upper, lower := int128Of(x)
			a.setInt128(c, row, upper, lower)
			return nil
		}
	case *big.Int:
		if upper, lower, ok := bigInt128(x); ok && p == physInt128 {
			a.setInt128(c, row, upper, lower)
			return nil
		}
	case float64:
		if p == physFloat64 {
			a.setFloat64(c, row, x)
			return nil
		}
	case bool:
		if p == physBool {
			a.setBool(c, row, x)
			return nil
		}
	case string:
		switch p {
		case physString:
			a.setString(c, row, unsafeBytes(x))
			return nil
		case physUUID:
			return a.setUUIDText(c, row, unsafeBytes(x))
		}
	case []byte:
		if p == physString {
			a.setString(c, row, x)
			return nil
		}
	case time.Time:
		if p == physInt64 {
			us := x.UnixMicro()
			if us < minMicros || us >= maxMicros {
				return fmt.Errorf("timestamp %s is out of DuckDB's range", x)
			}
			a.setInt64(c, row, us)
			return nil
		}
	case duckdb.Interval:
		if p == physInterval {
			a.setInterval(c, row, x.Months, x.Days, x.Micros)
			return nil
		}
	}
	return fmt.Errorf("cannot append a %T to a column of layout %d", v, p)
}

// WriteColumns appends a batch held column by column (see
// connectors.ColumnBatch), in the column order given to NewTableWriter.
// Columns whose layout matches their staging are copied straight into
// DuckDB's vectors; others go value by value through WriteBatch's
// conversions.
func (w *TableWriter) WriteColumns(ctx context.Context, b *connectors.ColumnBatch) error {
	if err := w.writable(ctx); err != nil {
		return err
	}
	if len(b.Cols) != len(w.cols) {
		return fmt.Errorf("batch has %d columns for %d", len(b.Cols), len(w.cols))
	}
	for start := 0; start < b.Len; {
		n := min(b.Len-start, w.app.space(), int(w.lake.Limits.FileMaxRows-w.rows))
		for c := range b.Cols {
			if err := w.appendColumn(c, &b.Cols[c], start, n); err != nil {
				return &ValueError{Column: w.cols[c].Name, Err: err}
			}
		}
		if w.keys != nil {
			w.keys.observeColumns(b.Cols, start, n)
		}
		w.app.n += n
		w.rows += int64(n)
		start += n
		if err := w.rowsAppended(ctx); err != nil {
			return err
		}
	}
	return nil
}

// appendColumn appends rows [start, start+n) of v to column c of the chunk.
func (w *TableWriter) appendColumn(c int, v *connectors.ColumnVector, start, n int) error {
	a, base := w.app, w.app.n
	if fast, err := w.copyColumn(c, v, start, n); fast || err != nil {
		return err
	}
	for r := 0; r < n; r++ {
		cv, err := w.stages[c].convert(v.Value(start + r))
		if err != nil {
			return err
		}
		if err := a.setValue(c, base+r, cv); err != nil {
			return err
		}
		w.bytes += valueSize(cv)
	}
	return nil
}

// copyColumn copies a column whose layout is its staging's, reporting
// false (having written nothing) when it is not.
func (w *TableWriter) copyColumn(c int, v *connectors.ColumnVector, start, n int) (bool, error) {
	a, base, kind := w.app, w.app.n, w.cols[c].Type.Kind
	switch {
	case v.Layout == connectors.LayoutInt64 && kind == connectors.KindInt:
		copyValues(a, c, base, v.Nulls[start:start+n], v.Ints[start:start+n], (*chunkAppender).setInt64)
		w.bytes += 8 * int64(n)
	case v.Layout == connectors.LayoutMicros && (kind == connectors.KindTimestamp || kind == connectors.KindTimestampTZ):
		for r, x := range v.Ints[start : start+n] {
			if !v.Nulls[start+r] && (x < minMicros || x >= maxMicros) {
				return true, fmt.Errorf("timestamp %s is out of DuckDB's range", time.UnixMicro(x).UTC())
			}
		}
		copyValues(a, c, base, v.Nulls[start:start+n], v.Ints[start:start+n], (*chunkAppender).setInt64)
		w.bytes += 8 * int64(n)
	case v.Layout == connectors.LayoutDecimal && kind == connectors.KindDecimal && w.cols[c].Type.Precision <= maxInt64Precision:
		t := w.cols[c].Type
		if v.Scale > t.Scale {
			return false, nil
		}
		mul, limit := pow10i(t.Scale-v.Scale), pow10i(t.Precision)
		for r := 0; r < n; r++ {
			x := v.Ints[start+r]
			if v.Nulls[start+r] {
				a.setNull(c, base+r)
				continue
			}
			if x >= limit/mul || -x >= limit/mul {
				return true, fmt.Errorf("%s does not fit in decimal(%d,%d)", connectors.FormatUnscaled(x, v.Scale), t.Precision, t.Scale)
			}
			a.setInt64(c, base+r, x*mul)
		}
		w.bytes += 8 * int64(n)
	case v.Layout == connectors.LayoutFloat64 && kind == connectors.KindFloat:
		copyValues(a, c, base, v.Nulls[start:start+n], v.Floats[start:start+n], (*chunkAppender).setFloat64)
		w.bytes += 8 * int64(n)
	case v.Layout == connectors.LayoutBool && kind == connectors.KindBool:
		copyValues(a, c, base, v.Nulls[start:start+n], v.Bools[start:start+n], (*chunkAppender).setBool)
		w.bytes += 8 * int64(n)
	case v.Layout == connectors.LayoutDecimal && kind == connectors.KindDecimal:
		return w.copyWideDecimals(c, v, start, n)
	case v.Layout.Textual() && kind == connectors.KindUUID:
		for r := 0; r < n; r++ {
			if v.Nulls[start+r] {
				a.setNull(c, base+r)
			} else if err := a.setUUIDText(c, base+r, v.Bytes(start+r)); err != nil {
				return true, err
			}
		}
		w.bytes += 16 * int64(n)
	case v.Layout.Textual() && stagesTextAsIs(kind):
		for r := 0; r < n; r++ {
			if v.Nulls[start+r] {
				a.setNull(c, base+r)
				continue
			}
			s := v.Bytes(start + r)
			a.setString(c, base+r, s)
			w.bytes += 16 + int64(len(s))
		}
	default:
		return false, nil
	}
	return true, nil
}

// stagesTextAsIs reports whether a lake kind stages text (or bytes) exactly
// as it comes, as its stageColumn's convert does.
func stagesTextAsIs(k connectors.Kind) bool {
	switch k {
	case connectors.KindString, connectors.KindBytes, connectors.KindJSON, connectors.KindDate:
		return true
	}
	return false
}

// copyWideDecimals writes unscaled decimals to a decimal column wider than
// an int64, staged as DECIMAL(38, s) (see toUnscaledWide), reporting false
// (having written nothing) when v has more fractional digits than the
// column.
func (w *TableWriter) copyWideDecimals(c int, v *connectors.ColumnVector, start, n int) (bool, error) {
	a, base, t := w.app, w.app.n, w.cols[c].Type
	if v.Scale > t.Scale || t.Scale-v.Scale > 19 { // 10^19 is the most one multiplication scales by
		return false, nil
	}
	for r := 0; r < n; r++ {
		if v.Nulls[start+r] {
			a.setNull(c, base+r)
			continue
		}
		x := v.Ints[start+r]
		upper, lower, ok := scaledInt128(x, t.Scale-v.Scale, t.Precision)
		if !ok {
			return true, fmt.Errorf("%s does not fit in decimal(%d,%d)", connectors.FormatUnscaled(x, v.Scale), t.Precision, t.Scale)
		}
		a.setInt128(c, base+r, upper, lower)
	}
	w.bytes += 16 * int64(n)
	return true, nil
}

// copyValues writes vals, or NULL where nulls says so, from row base on.
func copyValues[T any](a *chunkAppender, c, base int, nulls []bool, vals []T, set func(*chunkAppender, int, int, T)) {
	for r, x := range vals {
		if nulls[r] {
			a.setNull(c, base+r)
		} else {
			set(a, c, base+r, x)
		}
	}
}

// pow10i is 10^n for 0 <= n <= 18.
func pow10i(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// writable refuses writes to a finished or failed writer, or when ctx is
// done, and collects a file written in the background meanwhile.
func (w *TableWriter) writable(ctx context.Context) error {
	if w.closed {
		return errors.New("write to a finished table writer")
	}
	if w.err != nil || w.app == nil {
		return fmt.Errorf("the table writer failed earlier (%v); abort it", w.err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return w.fail(w.poll(ctx))
}

// fail makes err, if any, the writer's for good.
func (w *TableWriter) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// rowsAppended appends a full chunk and rolls to a new file at the limits.
func (w *TableWriter) rowsAppended(ctx context.Context) error {
	if w.app.space() == 0 {
		if err := w.app.flush(); err != nil {
			return w.fail(err)
		}
	}
	if w.rows >= w.lake.Limits.FileMaxRows || w.bytes >= w.lake.Limits.FileMaxBytes {
		return w.fail(w.roll(ctx, true))
	}
	return nil
}
