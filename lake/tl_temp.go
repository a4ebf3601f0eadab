package lake

import (
	"fmt"
	"os"
	"sync"
	"time"
)

// TEMPORARY: a per-phase timeline of cdc runs, to SLUICE_CDC_TIMELINE.
var (
	tlMu    sync.Mutex
	tlStart time.Time
)

func tlMark(format string, args ...any) {
	path := os.Getenv("SLUICE_CDC_TIMELINE")
	if path == "" {
		return
	}
	tlMu.Lock()
	defer tlMu.Unlock()
	if tlStart.IsZero() {
		tlStart = time.Now()
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%8.3f %s\n", time.Since(tlStart).Seconds(), fmt.Sprintf(format, args...))
}
