package syncspec

import "fmt"

// Bounds of how many copies of one run run at once.
const (
	MinTableParallelism = 1
	MaxTableParallelism = 32
	// DefaultTableParallelism is the worker's default when
	// SLUICE_SYNC_TABLE_PARALLELISM is not set.
	DefaultTableParallelism = 2
)

// DefaultSplitRows is the split threshold of a sync that names none: 0,
// never split. Splitting is asked for per sync: ranges of a table run at
// once and hold a writer each, so a worker's memory grows with them, and a
// split table's rows are read in several transactions.
const DefaultSplitRows int64 = 0

// CheckTableParallelism refuses a sync's table_parallelism outside 0..32
// (0 takes the worker's default).
func CheckTableParallelism(n int) error {
	if n != 0 && (n < MinTableParallelism || n > MaxTableParallelism) {
		return fmt.Errorf("must be %d to %d copies at once, or 0 for the worker's default", MinTableParallelism, MaxTableParallelism)
	}
	return nil
}

// CheckSplitRows refuses a negative split_rows (0 never splits).
func CheckSplitRows(n *int64) error {
	if n != nil && *n < 0 {
		return fmt.Errorf("must be 0 (never split) or the estimated rows above which a table is copied as key ranges")
	}
	return nil
}

// ResolveSplitRows is the split threshold a run uses: the sync's, or
// DefaultSplitRows when it names none.
func ResolveSplitRows(n *int64) int64 {
	if n == nil {
		return DefaultSplitRows
	}
	return *n
}
