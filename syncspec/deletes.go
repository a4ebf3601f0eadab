package syncspec

import "fmt"

// Delete modes: what a merge does with lake rows whose primary key the
// source no longer has.
const (
	// DeleteKeep keeps them (what every merge did before delete modes).
	DeleteKeep = "keep"
	// DeleteHard removes them from the lake table.
	DeleteHard = "hard"
	// DeleteSoft keeps them with _sluice_deleted_at set.
	DeleteSoft = "soft"
)

// DefaultDeleteMode is the delete mode of a new configuration that names
// none: soft for merge, as users of other replication tools expect deletes to
// arrive without losing the rows; keep for append and overwrite, which
// detect no deletes.
func DefaultDeleteMode(loadMethod string) string {
	if MergesOnKeys(loadMethod) {
		return DeleteSoft
	}
	return DeleteKeep
}

// CheckDeleteMode refuses a delete mode that is unknown or means nothing for
// the load method: only merge compares keys, overwrite replaces the table
// (rows gone at the source go with it) and append never deletes. An empty
// mode is fine (the default applies). cdc merges on keys as merge does.
func CheckDeleteMode(mode, loadMethod string) error {
	switch mode {
	case "", DeleteKeep:
		return nil
	case DeleteHard, DeleteSoft:
		if !MergesOnKeys(loadMethod) {
			return fmt.Errorf("%s applies to load_method merge and cdc only: overwrite already drops rows gone at the source and append never deletes; leave delete_mode out or set keep", mode)
		}
		return nil
	}
	return fmt.Errorf("must be keep, hard or soft, not %q", mode)
}

// TableDeleteMode is the delete mode a run applies to a table entry: its own
// if it has one, else the configuration's, keep when neither says (runs
// recorded before delete modes) or the load method is not merge.
func (c Config) TableDeleteMode(spec TableSpec) string {
	mode := spec.DeleteMode
	if mode == "" {
		mode = c.DeleteMode
	}
	if mode == "" || !MergesOnKeys(c.LoadMethod) {
		return DeleteKeep
	}
	return mode
}

// ResolvedTables are the configuration's table entries, each with the delete
// mode a run applies to it.
func (c Config) ResolvedTables() []TableSpec {
	out := make([]TableSpec, len(c.Tables))
	for i, t := range c.Tables {
		out[i] = t
		out[i].DeleteMode = c.TableDeleteMode(t)
	}
	return out
}
