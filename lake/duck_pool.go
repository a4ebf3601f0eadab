package lake

import (
	"context"
	"slices"
	"sync"
	"time"
)

// writerPair is a TableWriter's DuckDB: its database (with the appending
// connection) and a second connection for writing files in the background.
type writerPair struct {
	duck, bg *duck
	memory   string
	expire   *time.Timer
}

func (p *writerPair) close() {
	p.bg.Close()
	p.duck.Close()
}

// writerIdleMax is how many writer databases stay open between buffer
// writers (Lake.NewBufferWriter), and writerIdleFor how long one waits for
// its next writer before it is closed. A cdc run stages each buffer with
// two or three writers one after another; opening a DuckDB for each took
// more of the worker's time than folding the changes.
const (
	writerIdleMax = 2
	writerIdleFor = 10 * time.Second
)

// writerPool keeps writer databases between writers. A database is handed
// back only with its staging database emptied, so no rows of one writer
// (or team) are there for the next. A commit closes the idle ones before
// it merges: what they keep of the memory they used would add to its peak.
type writerPool struct {
	mu   sync.Mutex
	idle []*writerPair
}

var writers writerPool

// get returns an idle database with the same memory limit (when reuse is
// set), or opens one (of writerThreads threads).
func (wp *writerPool) get(ctx context.Context, memory string, reuse bool) (*writerPair, error) {
	if reuse {
		if p := wp.take(memory); p != nil {
			return p, nil
		}
	}
	d, err := openWriterDuck(ctx, memory, writerThreads)
	if err != nil {
		return nil, err
	}
	bg, err := d.another(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &writerPair{duck: d, bg: bg, memory: memory}, nil
}

// take removes an idle database with the memory limit from the pool.
func (wp *writerPool) take(memory string) *writerPair {
	wp.mu.Lock()
	defer wp.mu.Unlock()
	for i, p := range wp.idle {
		if p.memory == memory {
			wp.idle = slices.Delete(wp.idle, i, i+1)
			p.expire.Stop() // if it fired, its close finds the pair gone from idle
			return p
		}
	}
	return nil
}

// put hands a database back once its staging database is replaced by an
// empty one (which frees what it held), or closes it when that fails. Past
// writerIdleMax, the database idle longest is closed.
func (wp *writerPool) put(p *writerPair) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.duck.exec(ctx, "DETACH stage; ATTACH ':memory:' AS stage"); err != nil {
		p.close()
		return
	}
	wp.mu.Lock()
	var oldest *writerPair
	if len(wp.idle) >= writerIdleMax {
		// The latest writer's settings are the likeliest to come again.
		oldest = wp.idle[0]
		oldest.expire.Stop()
		wp.idle = slices.Delete(wp.idle, 0, 1)
	}
	wp.idle = append(wp.idle, p)
	p.expire = time.AfterFunc(writerIdleFor, func() { wp.expireIdle(p) })
	wp.mu.Unlock()
	if oldest != nil {
		oldest.close()
	}
}

// closeIdle closes every idle database.
func (wp *writerPool) closeIdle() {
	wp.mu.Lock()
	idle := wp.idle
	wp.idle = nil
	wp.mu.Unlock()
	for _, p := range idle {
		p.expire.Stop()
		p.close()
	}
}

// expireIdle closes p if it is still idle.
func (wp *writerPool) expireIdle(p *writerPair) {
	wp.mu.Lock()
	i := slices.Index(wp.idle, p)
	if i >= 0 {
		wp.idle = slices.Delete(wp.idle, i, i+1)
	}
	wp.mu.Unlock()
	if i >= 0 {
		p.close()
	}
}
