package chaos

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// mountTmpfs mounts a tmpfs of sizeMB at dir until the test ends, or skips
// the test with the reason when this machine does not allow it.
func mountTmpfs(t *testing.T, dir string, sizeMB int) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatalf("make the mount point: %v", err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("disk-full needs a small tmpfs and this machine refused to mount one (%v: %s); run it as root where mount is permitted",
			err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v (%s)", dir, err, out)
		}
	})
}

// resizeTmpfs changes the size of the tmpfs at dir.
func resizeTmpfs(t *testing.T, dir string, sizeKB int64) {
	t.Helper()
	if out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%dk", sizeKB), dir).CombinedOutput(); err != nil {
		t.Fatalf("resize the tmpfs at %s: %v (%s)", dir, err, out)
	}
}

// usedKB is how much of the filesystem at dir is in use.
func usedKB(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatalf("statfs %s: %v", dir, err)
	}
	return int64(st.Blocks-st.Bfree) * st.Bsize / 1024
}

// fullDiskHeadroomKB is the space a full disk leaves for a merge run: less
// than the smallest run here writes (a tenth of the rows changed, in
// Parquet version 2's small files; 2 MiB let a run through once new lakes
// wrote version 2).
const fullDiskHeadroomKB = 256

// TestDiskFullWritingParquet puts the lake's directory on a small tmpfs
// and, CHAOS_RUNS times (3 by default; each waits out the run's retries), shrinks it to what is in use plus
// fullDiskHeadroomKB before a merge run. The run must fail cleanly, its tables saying
// the disk is full, with no snapshot referring to a partial file (every
// data file in the catalog is on disk at its recorded size). Once the
// tmpfs is given space back, the next run must succeed with the lake equal
// to the source, and no orphan file may be left.
func TestDiskFullWritingParquet(t *testing.T) {
	needChaos(t)
	o := &outcome{Scenario: "disk-full"}
	defer func() { report(*o) }()
	dataDir := t.TempDir()
	lakeDir := filepath.Join(dataDir, "lake")
	mountTmpfs(t, lakeDir, 1024)
	src := newSource(t, fixtureTables, false)
	s := newStack(t, stackOptions{DataDir: dataDir, Env: workerTuning})
	id := s.createIntegration(testenv.PostgresCredentials(""))
	const dest = "chaos_disk"
	s.configureMerge(id, dest, src.names())
	if base := s.waitRun(s.startRun(id), 5*time.Minute); base["status"] != "succeeded" {
		t.Fatalf("the first load, before any fault: %v", base)
	}
	full := 0
	var final map[string]any
	if short() {
		final = diskFullOnce(t, s, src, lakeDir, id, dest, o)
		s.worker.stop(30 * time.Second)
		o.Note = fmt.Sprintf("short form: space came back while the run retried; the runs' cleanup removed %d orphan files, none left", s.orphanCheck(t, final))
		return
	}
	for r := 1; r <= chaosRuns(3); r++ {
		o.Runs++
		src.change(t, r)
		resizeTmpfs(t, lakeDir, usedKB(t, lakeDir)+fullDiskHeadroomKB)
		failed := s.waitRun(s.startRun(id), 5*time.Minute)
		msgs := tableErrors(failed)
		resizeTmpfs(t, lakeDir, 1<<20)
		clean := s.catalogFilesIntact(t)
		final = s.waitRun(s.startRun(id), 5*time.Minute)
		got := s.compare(t, src, dest)
		o.Lost += got.Lost
		o.Duplicated += got.Duplicated
		t.Logf("run %d: with the disk full %v %q; with space back %v", r, failed["status"], msgs, final["status"])
		if failed["status"] == "succeeded" || !mentions(msgs, "no space left") {
			t.Errorf("run %d on a full disk: %v with table errors %q; want it to fail saying the disk is full", r, failed["status"], msgs)
			continue
		}
		full++
		if !clean || final["status"] != "succeeded" || len(got.Mismatches) > 0 {
			t.Errorf("run %d once space was back: %v (error %v), catalog intact %v; lake against source: %v",
				r, final["status"], final["error"], clean, got.Mismatches)
			continue
		}
		o.Passed++
	}
	s.worker.stop(30 * time.Second)
	orphans := s.orphanCheck(t, final)
	o.Note = fmt.Sprintf("%d runs failed on the full disk as they should; the runs' cleanup removed %d orphan files, none left", full, orphans)
}

// diskFullOnce is the short form's cycle: the disk fills under a run and
// space comes back as soon as a copy has failed for it, so the same run
// must succeed on a retry, with the catalog intact and the lake equal to
// the source.
func diskFullOnce(t *testing.T, s *stack, src *source, lakeDir, id, dest string, o *outcome) map[string]any {
	t.Helper()
	o.Runs++
	src.change(t, 1)
	resizeTmpfs(t, lakeDir, usedKB(t, lakeDir)+fullDiskHeadroomKB)
	runID := s.startRun(id)
	if !eventually(3*time.Minute, func() bool {
		for _, e := range logEntries(s.workerLogs, "Activity error.") {
			if strings.Contains(strings.ToLower(fmt.Sprint(e["Error"])), "no space left") {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no copy failed for want of space")
	}
	resizeTmpfs(t, lakeDir, 1<<20)
	final := s.waitRun(runID, 5*time.Minute)
	clean := s.catalogFilesIntact(t)
	got := s.compare(t, src, dest)
	o.Lost, o.Duplicated = got.Lost, got.Duplicated
	t.Logf("disk full, then space back: %v, %d table attempts", final["status"], tableAttempts(final))
	if final["status"] != "succeeded" || !clean || len(got.Mismatches) > 0 || tableAttempts(final) <= len(src.Tables) {
		t.Errorf("disk full, then space back: %v (error %v), %d table attempts, catalog intact %v; lake against source: %v",
			final["status"], final["error"], tableAttempts(final), clean, got.Mismatches)
	} else {
		o.Passed++
	}
	return final
}

// mentions reports whether any message contains what, ignoring case.
func mentions(msgs []string, what string) bool {
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(m), what) {
			return true
		}
	}
	return false
}

// catalogFilesIntact checks that every data and delete file the team
// lake's catalog lists, in any snapshot, is on disk at its recorded size.
func (s *stack) catalogFilesIntact(t *testing.T) bool {
	t.Helper()
	lk, pool := s.openTeamLake(t)
	sizes := map[string]int64{}
	err := filepath.WalkDir(lk.DataPath(), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		sizes[filepath.Base(path)] = info.Size()
		return nil
	})
	if err != nil {
		t.Fatalf("walk the lake: %v", err)
	}
	schema := lk.CatalogSchema()
	rows, err := pool.Query(context.Background(), `SELECT path, file_size_bytes FROM `+schema+`.ducklake_data_file
		UNION ALL SELECT path, file_size_bytes FROM `+schema+`.ducklake_delete_file`)
	if err != nil {
		t.Fatalf("list the catalog's files: %v", err)
	}
	defer rows.Close()
	intact := true
	for rows.Next() {
		var path string
		var size int64
		if err := rows.Scan(&path, &size); err != nil {
			t.Fatalf("list the catalog's files: %v", err)
		}
		if got, ok := sizes[filepath.Base(path)]; !ok || got != size {
			t.Errorf("the catalog lists %s at %d bytes; on disk: present %v, %d bytes", path, size, ok, got)
			intact = false
		}
	}
	return intact && rows.Err() == nil
}
