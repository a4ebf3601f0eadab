package lake

import "testing"

// TestKeyMatchingInHashPartitions runs the merge tests (and the delete
// detection tests, which merge too) with a partition bound of a few keys,
// so every merge's key match takes several hash passes: a key matched in
// the wrong pass, or in none, changes their answers.
func TestKeyMatchingInHashPartitions(t *testing.T) {
	saved := mergePartitionRows
	mergePartitionRows = 3
	t.Cleanup(func() { mergePartitionRows = saved })
	runMergeTests(t)
}

// TestKeyMatchingAFileAtATime matches each existing file's keys in a query
// of its own, so a row attributed to the wrong file (an index numbered from
// the wrong start) deletes the wrong rows.
func TestKeyMatchingAFileAtATime(t *testing.T) {
	saved := mergeBatch
	mergeBatch = 1
	t.Cleanup(func() { mergeBatch = saved })
	runMergeTests(t)
}

func runMergeTests(t *testing.T) {
	for name, test := range map[string]func(*testing.T){
		"merge twice":           TestMergeTwiceLeavesOneRowPerKey,
		"merge one percent":     TestMergeOnePercent,
		"dedupe within commit":  TestMergeDedupesWithinCommit,
		"merge tracked files":   TestMergeOfTrackedFiles,
		"hard delete detection": TestDeleteMissingHardRemovesRowsGoneFromTheSource,
		"soft delete detection": TestDeleteMissingSoftMarksAndRestores,
	} {
		t.Run(name, test)
	}
}
