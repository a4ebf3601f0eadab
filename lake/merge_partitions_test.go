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
