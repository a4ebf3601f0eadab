package service

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/semaphore"
)

// Every running query reserves its answer's byte budget from one
// process-wide pool (Options.QueryMemoryBytes; the API streams the JSON, so
// the rows are the answer's one copy). A burst of concurrent queries then
// waits briefly and answers 503 with Retry-After instead of taking the
// host's memory: without it eight queries of 32 MiB answers held 8 × 32 MiB
// plus their JSON.

// queryMemoryWait is how long a query waits for memory to be released.
const queryMemoryWait = 2 * time.Second

// Defaults of the answer's byte budget and the memory pool.
const (
	defaultQueryMaxBytes    = 32 << 20
	defaultQueryValueBytes  = 1 << 20
	defaultQueryMemoryBytes = 96 << 20
)

// queryMemory is the pool queries reserve their budget from.
type queryMemory struct {
	sem   *semaphore.Weighted
	total int64
}

func newQueryMemory(total int64) *queryMemory {
	return &queryMemory{sem: semaphore.NewWeighted(total), total: total}
}

// heldKey marks a context whose caller already holds a reservation.
type heldKey struct{}

// ReserveQueryMemory reserves one query's memory for the caller (the API,
// which holds it until the answer is written): the byte budget. Queries run under the returned context do not
// reserve again. Call free when the answer is written.
func (s *Service) ReserveQueryMemory(ctx context.Context) (context.Context, func(), error) {
	free, err := s.queryMemory.reserve(ctx, s.opts.QueryMaxBytes)
	if err != nil {
		return ctx, nil, err
	}
	return context.WithValue(ctx, heldKey{}, true), free, nil
}

// reserveQuery reserves memory for a query unless its caller holds some.
func (s *Service) reserveQuery(ctx context.Context) (func(), error) {
	if held, _ := ctx.Value(heldKey{}).(bool); held {
		return func() {}, nil
	}
	return s.queryMemory.reserve(ctx, s.opts.QueryMaxBytes)
}

// reserve takes n bytes (at most the whole pool) for one query and returns
// the function that gives them back.
func (m *queryMemory) reserve(ctx context.Context, n int64) (func(), error) {
	n = min(n, m.total)
	wait, cancel := context.WithTimeout(ctx, queryMemoryWait)
	defer cancel()
	if err := m.sem.Acquire(wait, n); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for query memory: %w", ctx.Err())
		}
		return nil, fmt.Errorf("running queries hold all %d MiB of query memory (SLUICE_QUERY_MEMORY_BYTES): %w", m.total>>20, ErrUnavailable)
	}
	return func() { m.sem.Release(n) }, nil
}

func (o *Options) setMemoryDefaults() {
	if o.QueryMaxBytes <= 0 {
		o.QueryMaxBytes = defaultQueryMaxBytes
	}
	if o.QueryValueBytes <= 0 {
		o.QueryValueBytes = defaultQueryValueBytes
	}
	if int64(o.QueryValueBytes) > o.QueryMaxBytes {
		o.QueryValueBytes = int(o.QueryMaxBytes)
	}
	if o.QueryMemoryBytes <= 0 {
		o.QueryMemoryBytes = defaultQueryMemoryBytes
	}
}
