package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RSS reads the resident set size of process pid, in bytes, from
// /proc/<pid>/status (VmRSS).
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("read status of process %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("process %d: unexpected VmRSS line %q", pid, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("process %d: VmRSS %q: %w", pid, fields[0], err)
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read status of process %d: %w", pid, err)
	}
	return 0, fmt.Errorf("process %d: no VmRSS in its status", pid)
}

// ServerMetrics are the gauges the harness reads from the server's /metrics.
type ServerMetrics struct {
	Goroutines int
	// Series counts the samples /metrics exposes; it grows with label values,
	// a leak of its own when a label takes per-request values.
	Series int
	// LiveHeap is the Go heap live after the last collection, derived from
	// the next collection's target (go_memstats_next_gc_bytes) and GOGC: a
	// steadier figure than the heap in use, which includes garbage.
	LiveHeap int64
	// GoSys is all memory the Go runtime holds from the OS; RSS beyond it was
	// allocated outside the Go runtime (DuckDB's, through cgo).
	GoSys int64
}

// Scrape reads go_goroutines, go_memstats_next_gc_bytes,
// go_gc_gogc_percent and go_memstats_sys_bytes from the server's /metrics.
func Scrape(ctx context.Context, baseURL string) (ServerMetrics, error) {
	var m ServerMetrics
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/metrics", nil)
	if err != nil {
		return m, fmt.Errorf("scrape /metrics: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return m, fmt.Errorf("scrape /metrics: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return m, fmt.Errorf("scrape /metrics: status %d", res.StatusCode)
	}
	want := map[string]float64{"go_goroutines": -1, "go_memstats_next_gc_bytes": -1, "go_gc_gogc_percent": -1, "go_memstats_sys_bytes": -1}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m.Series++
		}
		name, value, ok := strings.Cut(sc.Text(), " ")
		if _, wanted := want[name]; !ok || !wanted {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			return m, fmt.Errorf("%s %q: %w", name, value, err)
		}
		want[name] = f
	}
	if err := sc.Err(); err != nil {
		return m, fmt.Errorf("scrape /metrics: %w", err)
	}
	for name, v := range want {
		if v < 0 {
			return m, fmt.Errorf("/metrics has no %s; register the Go collector", name)
		}
	}
	m.Goroutines, m.GoSys = int(want["go_goroutines"]), int64(want["go_memstats_sys_bytes"])
	m.LiveHeap = int64(want["go_memstats_next_gc_bytes"] * 100 / (100 + want["go_gc_gogc_percent"]))
	return m, nil
}

// PostgresConnections counts the backends connected to database (from
// pg_stat_activity), not counting the harness's own.
func PostgresConnections(ctx context.Context, admin, database string) (int, error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return 0, fmt.Errorf("connect to count connections: %w", err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", database).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count connections to %s: %w", database, err)
	}
	return n, nil
}

// adminExec runs one statement on the admin database.
func adminExec(ctx context.Context, admin, sql string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("connect to the admin database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("admin statement %.40q: %w", sql, err)
	}
	return nil
}

// databaseExec runs statements on one database next to the admin one.
func databaseExec(ctx context.Context, admin, database, sql string) error {
	return adminExec(ctx, withDatabase(admin, database), sql)
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times on Linux.
const clockTicks = 100

// ProcessCPU reads the CPU time (user + system) process pid has used, from
// /proc/<pid>/stat; pid 0 is the harness itself.
func ProcessCPU(pid int) (time.Duration, error) {
	path := "/proc/self/stat"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/stat", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	// The command name, in parentheses, may hold spaces; fields count from after it.
	i := strings.LastIndexByte(string(b), ')')
	fields := strings.Fields(string(b[i+1:]))
	if i < 0 || len(fields) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	var ticks int64
	for _, f := range fields[11:13] { // utime, stime
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: cpu time %q: %w", path, f, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// ProcessCPUWait sums, over the threads of process pid (0 for the harness),
// the time they were runnable but waiting for a CPU (the second field of
// /proc/<pid>/task/<tid>/schedstat). Compared with ProcessCPU it shows how
// starved of CPU other processes on the machine kept it.
func ProcessCPUWait(pid int) (time.Duration, error) {
	dir := "/proc/self/task"
	if pid != 0 {
		dir = fmt.Sprintf("/proc/%d/task", pid)
	}
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("list threads: %w", err)
	}
	var total time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			continue
		}
		if ns, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			total += time.Duration(ns)
		}
	}
	return total, nil
}
