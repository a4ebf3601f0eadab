package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// readAheadWAL is how much WAL one read of the slot's copy decodes: small,
// so the server decodes the next piece while the worker handles this one
// (a variable so tests can make pieces tiny).
var readAheadWAL pglogrepl.LSN = 64 << 20

// readAheadBytes bounds the changes read ahead of the handler.
const readAheadBytes = 16 << 20

// ChangeReader reads a slot's changes through a temporary copy of the slot
// on a connection of its own. PeekChanges can only start at the slot's
// confirmed position, so the server decodes a whole window before the
// worker sees a change and the two never work at once; the copy is
// consumed a piece of WAL at a time instead, and the server decodes the
// next piece while the handler applies this one. The slot itself moves
// only after the lake holds the changes, to the copy's position (Keep,
// MoveSlotToKept) or with AdvanceSlot; the copy is dropped with the
// connection. A source with no replication slot to spare for the copy is
// read with PeekChanges.
type ChangeReader struct {
	c    *Connector
	slot string
	conn *pgx.Conn // nil: no copy, read with PeekChanges
	copy string
}

// OpenChangeReader copies the slot at its confirmed position.
func (c *Connector) OpenChangeReader(ctx context.Context, slot string) (*ChangeReader, error) {
	// A name of its own: a copy of an earlier reader may linger until its
	// connection's end reaches the server.
	r := &ChangeReader{c: c, slot: slot, copy: fmt.Sprintf("%s_read_%08x", slot, rand.Uint32())}
	pooled, err := c.acquire(ctx)
	if err != nil {
		return nil, asConnectionError(err)
	}
	conn := pooled.Hijack() // the copy lives as long as this connection
	// A statement_timeout the source sets for the role would cut a large
	// read short on every retry; a walsender has none, and neither have
	// these reads.
	if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, c.slotError(slot, "read the changes of", err)
	}
	_, err = conn.Exec(ctx, "SELECT pg_copy_logical_replication_slot($1::text::name, $2::text::name, true)", slot, r.copy)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "53400" { // configuration_limit_exceeded: max_replication_slots
		_ = conn.Close(context.WithoutCancel(ctx))
		return r, nil
	}
	if err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, c.slotError(slot, "copy", err)
	}
	r.conn = conn
	return r, nil
}

// closeTimeout bounds a reader's Close: callers close with a context that
// outlives the run's cancellation, and a source that stopped answering
// must not hold the run's end.
const closeTimeout = 10 * time.Second

// Close drops the copy (the server drops it anyway once the connection
// ends).
func (r *ChangeReader) Close(ctx context.Context) {
	if r.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), closeTimeout)
	defer cancel()
	if !r.conn.IsClosed() {
		_, _ = r.conn.Exec(ctx, "SELECT pg_drop_replication_slot($1::text::name)", r.copy)
	}
	_ = r.conn.Close(ctx)
	r.conn = nil
}

// Read hands h the changes committed before opts.Until that the last Read
// (or the slot, for the first) had not, as PeekChanges does, and returns
// opts.Until, the position to advance the slot to once they are applied.
// opts.Start is the slot's confirmed position, where the copy started.
func (r *ChangeReader) Read(ctx context.Context, opts StreamOptions, h ChangeHandler) (pglogrepl.LSN, error) {
	if r.conn == nil {
		return r.c.PeekChanges(ctx, opts, h)
	}
	if opts.Until <= opts.Start {
		return opts.Start, nil
	}
	// Only the reading goroutine stops with this Read: the handler may keep
	// work it started (staging in the background) past it, under ctx.
	readCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pieces := make(chan messageBatch, readAheadBytes/messageBatchBytes)
	done := make(chan error, 1)
	go func() {
		defer close(pieces)
		done <- r.readPieces(readCtx, opts, pieces)
	}()
	s := newStream(opts, h)
	for batch := range pieces {
		if err := batch.each(func(lsn pglogrepl.LSN, data []byte) error {
			if err := s.message(ctx, data); err != nil {
				return fmt.Errorf("change at %s: %w", lsn, err)
			}
			return nil
		}); err != nil {
			cancel()
			for range pieces { // let the reader end
			}
			<-done
			r.Close(context.WithoutCancel(ctx))
			return 0, err
		}
	}
	if err := <-done; err != nil {
		r.Close(context.WithoutCancel(ctx))
		return 0, err
	}
	if err := s.ended(); err != nil {
		return 0, err
	}
	return opts.Until, nil
}

// readPieces consumes the copy's changes up to opts.Until a piece of WAL at
// a time, sending the messages on in batches.
func (r *ChangeReader) readPieces(ctx context.Context, opts StreamOptions, out chan<- messageBatch) error {
	from, piece := opts.Start, readAheadWAL
	for from < opts.Until {
		upto := min(opts.Until, from+piece)
		batch := newMessageBatch()
		sql, params := changesCall("get", r.copy, upto, opts)
		rr := r.conn.PgConn().ExecParams(ctx, sql, params, nil, nil, []int16{1, 1})
		for rr.NextRow() {
			lsn, data, err := changeRow(r.slot, rr.Values())
			if err != nil {
				rr.Close()
				return err
			}
			if batch.add(lsn, data) {
				if !send(ctx, out, batch) {
					rr.Close()
					return ctx.Err()
				}
				batch = newMessageBatch()
			}
		}
		if _, err := rr.Close(); err != nil {
			return r.c.slotError(r.slot, "read the changes of", err)
		}
		if !send(ctx, out, batch) {
			return ctx.Err()
		}
		// Each read decodes again from the copy's restart position, the
		// start of the oldest transaction still open where the last read
		// ended: a piece at least twice that distance keeps the WAL
		// decoded again under half of what is read.
		var behind int64
		if err := r.conn.QueryRow(ctx, `SELECT COALESCE(pg_wal_lsn_diff(confirmed_flush_lsn, restart_lsn), 0)::bigint
			FROM pg_replication_slots WHERE slot_name = $1`, r.copy).Scan(&behind); err != nil {
			return r.c.slotError(r.slot, "read the position of the copy of", err)
		}
		piece = max(readAheadWAL, 2*pglogrepl.LSN(max(behind, 0)))
		from = upto
	}
	return nil
}

func send(ctx context.Context, out chan<- messageBatch, b messageBatch) bool {
	select {
	case out <- b:
		return true
	case <-ctx.Done():
		return false
	}
}

// messageBatchBytes is the size a batch of messages is sent on at.
const messageBatchBytes = 1 << 20

// messageBatch holds messages copied out of the connection's buffer, one
// allocation for many.
type messageBatch struct {
	data []byte
	ends []int
	lsns []pglogrepl.LSN
}

func newMessageBatch() messageBatch {
	return messageBatch{data: make([]byte, 0, messageBatchBytes+64<<10)}
}

// add copies a message in and reports whether the batch is full.
func (b *messageBatch) add(lsn pglogrepl.LSN, data []byte) bool {
	b.data = append(b.data, data...)
	b.ends = append(b.ends, len(b.data))
	b.lsns = append(b.lsns, lsn)
	return len(b.data) >= messageBatchBytes
}

func (b messageBatch) each(f func(pglogrepl.LSN, []byte) error) error {
	start := 0
	for i, end := range b.ends {
		if err := f(b.lsns[i], b.data[start:end:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// Copied reports whether the reader reads a copy of the slot (false: the
// source had no slot to spare, and it peeks).
func (r *ChangeReader) Copied() bool { return r.conn != nil }
