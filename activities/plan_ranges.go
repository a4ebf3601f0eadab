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
// splitRows, into one range per splitRows estimated rows. The cuts come
// from the source's histogram of the key when it has one (KeyQuantiler:
// ranges of about equal rows however the keys are spread), otherwise they
// cut min..max into equal widths (even when keys are, as a serial id's).
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
	n := min((rows+splitRows-1)/splitRows, maxKeyRanges)
	if quantiler, ok := d.(connectors.KeyQuantiler); ok {
		if cuts, ok, err := quantiler.KeyQuantiles(ctx, tp.Source, key, int(n)); err == nil && ok && len(cuts) > 0 {
			return rangesAt(cuts)
		}
	}
	lo, hi, ok, err := bounder.KeyBounds(ctx, tp.Source, key)
	if err != nil {
		activity.GetLogger(ctx).Warn("copying the table whole: no key bounds", "table", tp.Source.String(), "error", err)
	}
	if err != nil || !ok {
		return nil
	}
	return keyRanges(lo, hi, n)
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
	cuts := make([]int64, n-1)
	for i := range cuts {
		cuts[i] = int64(uint64(lo) + span/uint64(n)*uint64(i+1))
	}
	return rangesAt(cuts)
}

// rangesAt turns ascending cut points into ranges: up to the first, between
// each two, and after the last.
func rangesAt(cuts []int64) []KeyRange {
	out := make([]KeyRange, 0, len(cuts)+1)
	var after *int64
	for i := range cuts {
		out = append(out, KeyRange{After: after, UpTo: &cuts[i]})
		after = &cuts[i]
	}
	return append(out, KeyRange{After: after})
}
