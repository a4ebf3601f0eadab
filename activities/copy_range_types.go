package activities

import "github.com/sluice-dev/sluice/lake"

// KeyRange is one part of a table split on its integer primary key: the
// keys greater than After and at most UpTo. A nil bound is open, so the
// first and last ranges also take keys inserted beyond the planned bounds.
type KeyRange struct {
	After *int64 `json:"after,omitempty"`
	UpTo  *int64 `json:"up_to,omitempty"`
}

// CopyTableRangeInput asks for one key range of a table to be staged: the
// range's index among the table's and its bounds (Copy's plan leaves the
// other ranges out, so each range's input in history stays small).
type CopyTableRangeInput struct {
	Copy   CopyTableInput `json:"copy"`
	Range  int            `json:"range"`
	Bounds KeyRange       `json:"bounds"`
}

// CopyTableRangeOutput is what a range staged: file metadata and counts,
// never rows. The files stay uncommitted until CopyTable commits them.
type CopyTableRangeOutput struct {
	Files     []lake.StagedFile `json:"files"`
	RowsRead  int64             `json:"rows_read"`
	MaxCursor any               `json:"max_cursor,omitempty"`
	// FullRead says the range read every row in it (no cursor to start after).
	FullRead bool `json:"full_read,omitempty"`
}

// DiscardStagedInput names staged files of a table that will not be
// committed (another of its ranges failed).
type DiscardStagedInput struct {
	TeamID string            `json:"team_id"`
	Files  []lake.StagedFile `json:"files"`
}
