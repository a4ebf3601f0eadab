package activities

import (
	"context"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/syncspec"
)

// maxKeyRanges bounds how many ranges one table is split into, so the
// run's history (each range's file list) stays small.
const maxKeyRanges = 64

// planKeyRanges splits a large table into key ranges copied by separate
// activities: a full read (no cursor value yet) of an overwrite or merge
// with a single integer primary key, whose source estimates more rows than
// splitRows. The ranges cut min..max of the key into equal widths, one per
// splitRows estimated rows, so they are even when keys are (a serial id).
// Anything that stops a split (no estimate, a source without KeyBounder,
// an error) copies the table whole, as before: splitting is an
// optimization, never a reason to fail the plan.
func planKeyRanges(ctx context.Context, d connectors.Discoverer, method string, splitRows int64, tp TablePlan) []KeyRange {
	if splitRows <= 0 || len(tp.PrimaryKeys) != 1 || (method != syncspec.LoadOverwrite && method != syncspec.LoadMerge) {
		return nil
	}
	estimator, canEstimate := d.(connectors.RowEstimator)
	bounder, canBound := d.(connectors.KeyBounder)
	if !canEstimate || !canBound {
		return nil
	}
	rows, ok, err := estimator.EstimateRows(ctx, tp.Source)
	if err != nil || !ok || rows <= splitRows {
		return nil
	}
	key := tp.PrimaryKeys[0]
	if kind, err := columnKind(ctx, d, tp.Source, key); err != nil || kind != connectors.KindInt {
		return nil
	}
	lo, hi, ok, err := bounder.KeyBounds(ctx, tp.Source, key)
	if err != nil {
		activity.GetLogger(ctx).Warn("copying the table whole: no key bounds", "table", tp.Source.String(), "error", err)
	}
	if err != nil || !ok {
		return nil
	}
	return keyRanges(lo, hi, min((rows+splitRows-1)/splitRows, maxKeyRanges))
}

// columnKind is the kind of one column of t.
func columnKind(ctx context.Context, d connectors.Discoverer, t connectors.TableRef, name string) (connectors.Kind, error) {
	cols, err := d.Columns(ctx, t)
	if err != nil {
		return "", err
	}
	for _, c := range cols {
		if c.Name == name {
			return c.Type.Kind, nil
		}
	}
	return "", fmt.Errorf("%s has no column %s", t, name)
}

// keyRanges cuts lo..hi into n ranges of equal width (fewer when there are
// fewer keys than n). The first range is open below and the last open
// above, so keys inserted outside lo..hi after planning are copied too.
func keyRanges(lo, hi, n int64) []KeyRange {
	span := uint64(hi) - uint64(lo) // as unsigned: no overflow for any int64 pair
	if n > 1 && uint64(n) > span {
		n = int64(span)
	}
	if n < 2 {
		return nil
	}
	out := make([]KeyRange, n)
	var after *int64
	for i := range n - 1 {
		cut := int64(uint64(lo) + span/uint64(n)*uint64(i+1))
		out[i] = KeyRange{After: after, UpTo: &cut}
		after = &cut
	}
	out[n-1] = KeyRange{After: after}
	return out
}
