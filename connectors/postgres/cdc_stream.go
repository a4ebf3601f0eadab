package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-dev/sluice/connectors"
)

// ChangeKind is what a change did to a row.
type ChangeKind uint8

// Change kinds.
const (
	ChangeUpsert   ChangeKind = iota // an insert or an update: the row's new values
	ChangeDelete                     // only the key columns are set
	ChangeTruncate                   // every row of the table is gone
)

// Change is one row change (or a truncate) of a published table.
type Change struct {
	Kind  ChangeKind
	Table connectors.TableRef
	// Columns name Values, in the table's order at the change.
	Columns []string
	// Values and Unchanged are the stream's, reused for the next change:
	// a handler copies what it keeps.
	Values []any
	// Unchanged marks values the change did not send: TOASTed values an
	// update left as they were, and a delete's columns outside its key.
	Unchanged []bool
}

// ChangeHandler receives a slot's changes in commit order.
type ChangeHandler interface {
	// Change delivers one change of the open transaction.
	Change(ctx context.Context, c Change) error
	// Commit ends the transaction whose changes came since the last Commit;
	// end is the position to confirm once they are applied.
	Commit(ctx context.Context, end pglogrepl.LSN) error
}

// StreamOptions say what to stream and until when.
type StreamOptions struct {
	Slot, Publication string
	// Start is the slot's confirmed position: streaming resumes after it.
	Start pglogrepl.LSN
	// Until is the server's WAL position when the run began: the stream ends
	// once every transaction committed before it is delivered.
	Until pglogrepl.LSN
	// Columns are the lake types of each published table's columns, by
	// "schema.table" and column name; a column not there is read as text.
	Columns map[string][]connectors.Column
	// SkipBefore skips the transactions that committed before it: their
	// changes are in the lake already (recorded there before the slot could
	// be advanced past them).
	SkipBefore pglogrepl.LSN
	// Idle ends the stream when the server sends nothing for this long
	// with no transaction open (zero: 30 seconds).
	Idle time.Duration
	// Binary asks for values in their binary form, which the server makes
	// with less work than text; see BinaryChanges for when it can.
	Binary bool
	// Hold leaves the stream open when Stream returns, for Confirm to end
	// once the changes are applied.
	Hold bool
}

// statusEvery is how often the stream tells the server it is alive.
const statusEvery = 10 * time.Second

// Stream decodes the slot's pgoutput changes from opts.Start and hands them
// to h until it has delivered every transaction committed before
// opts.Until, then returns the position it reached (to confirm once the
// changes are applied). It confirms nothing itself: see AdvanceSlot.
func (r *Replication) Stream(ctx context.Context, opts StreamOptions, h ChangeHandler) (pglogrepl.LSN, error) {
	args := []string{"proto_version '1'", "publication_names '" + opts.Publication + "'"}
	if opts.Binary {
		args = append(args, "binary 'true'")
	}
	err := pglogrepl.StartReplication(ctx, r.conn, opts.Slot, opts.Start, pglogrepl.StartReplicationOptions{PluginArgs: args})
	if err != nil {
		return 0, slotError(opts.Slot, err)
	}
	if opts.Idle <= 0 {
		opts.Idle = 30 * time.Second
	}
	s := &stream{r: r, opts: opts, h: h, relations: map[uint32]*relation{}, types: pgtype.NewMap(), reached: opts.Start, confirmed: opts.Start}
	return s.run(ctx)
}

// slotError tells a slot that is gone or invalidated apart from other failures.
func slotError(slot string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42704" || pgErr.Code == "55000") { // undefined_object, object_not_in_prerequisite_state
		return fmt.Errorf("%w: %s: %s", ErrSlotGone, slot, pgErr.Message)
	}
	return fmt.Errorf("stream replication slot %s: %w", slot, err)
}

type relation struct {
	table   connectors.TableRef
	names   []string
	oids    []uint32
	types   []connectors.Type
	keyCols []bool
}

type stream struct {
	r         *Replication
	opts      StreamOptions
	h         ChangeHandler
	relations map[uint32]*relation
	types     *pgtype.Map
	inTx      bool
	// values and unchanged are reused by every change; old and oldUnchanged
	// hold an update's old key or row while its new row is decoded.
	values, old          []any
	unchanged, oldUnsent []bool
	// skipping is set in a transaction that committed before SkipBefore.
	skipping bool
	// reached is the end of the last transaction delivered (or the
	// server's decoded position while none was open); confirmed is what
	// was last reported to the server.
	reached, confirmed pglogrepl.LSN
}

func (s *stream) run(ctx context.Context) (pglogrepl.LSN, error) {
	if s.opts.Until <= s.opts.Start {
		return s.reached, s.end(ctx)
	}
	// Asking for a reply makes the server say how far it decoded.
	if err := s.status(ctx, true); err != nil {
		return s.reached, err
	}
	if err := s.receive(ctx); err != nil {
		return s.reached, err
	}
	return s.reached, s.end(ctx)
}

// receive delivers the stream's messages until every transaction
// committed before opts.Until is delivered, or the server stays idle.
func (s *stream) receive(ctx context.Context) error {
	lastHeard := time.Now()
	w := watchReceive(ctx, s.r.conn)
	defer w.end()
	for {
		if !s.inTx && s.reached >= s.opts.Until {
			return nil
		}
		if w.expired() {
			if !s.inTx && time.Since(lastHeard) > s.opts.Idle {
				return nil
			}
			if err := s.status(ctx, true); err != nil {
				return err
			}
			w.renew()
			// After renew: a cancel whose deadline renew overwrote is seen here.
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// No context here: pgconn would watch it for every message, which
		// cost as much as decoding one; the window's deadline bounds the wait.
		msg, err := s.r.conn.ReceiveMessage(context.Background())
		if err != nil {
			if pgconn.Timeout(err) {
				w.expire()
				continue
			}
			return slotError(s.opts.Slot, err)
		}
		lastHeard = time.Now()
		switch m := msg.(type) {
		case *pgproto3.ErrorResponse:
			return slotError(s.opts.Slot, pgconn.ErrorResponseToPgError(m))
		case *pgproto3.CopyData:
			if err := s.copyData(ctx, m.Data); err != nil {
				return err
			}
		}
	}
}

func (s *stream) copyData(ctx context.Context, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		ka, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return fmt.Errorf("parse keepalive: %w", err)
		}
		// With no transaction open, everything before the server's decoded
		// position was delivered (or was not published).
		if !s.inTx && ka.ServerWALEnd > s.reached {
			s.reached = ka.ServerWALEnd
		}
		if ka.ReplyRequested {
			return s.status(ctx, false)
		}
	case pglogrepl.XLogDataByteID:
		x, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return fmt.Errorf("parse WAL data: %w", err)
		}
		return s.message(ctx, x.WALData)
	}
	return nil
}

func (s *stream) message(ctx context.Context, data []byte) error {
	if len(data) > 0 && (data[0] == 'I' || data[0] == 'U' || data[0] == 'D') {
		if s.skipping {
			return nil
		}
		return s.rowMessage(ctx, data)
	}
	m, err := pglogrepl.Parse(data)
	if err != nil {
		return fmt.Errorf("decode pgoutput message: %w", err)
	}
	if _, truncate := m.(*pglogrepl.TruncateMessage); truncate && s.skipping {
		return nil
	}
	switch m := m.(type) {
	case *pglogrepl.BeginMessage:
		s.inTx, s.skipping = true, m.FinalLSN < s.opts.SkipBefore
	case *pglogrepl.RelationMessage:
		s.relations[m.RelationID] = s.relation(m)
	case *pglogrepl.TruncateMessage:
		for _, id := range m.RelationIDs {
			rel, err := s.rel(id)
			if err != nil {
				return err
			}
			if err := s.h.Change(ctx, Change{Kind: ChangeTruncate, Table: rel.table}); err != nil {
				return err
			}
		}
	case *pglogrepl.CommitMessage:
		s.inTx = false
		if !s.skipping {
			if err := s.h.Commit(ctx, m.TransactionEndLSN); err != nil {
				return err
			}
		}
		s.reached = max(s.reached, m.TransactionEndLSN)
	}
	return nil
}

func (s *stream) relation(m *pglogrepl.RelationMessage) *relation {
	rel := &relation{table: connectors.TableRef{Schema: m.Namespace, Name: m.RelationName}}
	lake := s.opts.Columns[rel.table.String()]
	for _, c := range m.Columns {
		rel.names = append(rel.names, c.Name)
		rel.oids = append(rel.oids, c.DataType)
		rel.keyCols = append(rel.keyCols, c.Flags&1 == 1)
		t := connectors.Scalar(connectors.KindString)
		if i := slices.IndexFunc(lake, func(l connectors.Column) bool { return l.Name == c.Name }); i >= 0 {
			t = lake[i].Type
		}
		rel.types = append(rel.types, t)
	}
	return rel
}

func (s *stream) rel(id uint32) (*relation, error) {
	rel, ok := s.relations[id]
	if !ok {
		return nil, fmt.Errorf("pgoutput sent a change of relation %d before describing it", id)
	}
	return rel, nil
}

// status reports the confirmed position to the server.
func (s *stream) status(ctx context.Context, reply bool) error {
	err := pglogrepl.SendStandbyStatusUpdate(ctx, s.r.conn, pglogrepl.StandbyStatusUpdate{
		WALWritePosition: s.confirmed, WALFlushPosition: s.confirmed, WALApplyPosition: s.confirmed, ReplyRequested: reply,
	})
	if err != nil {
		return fmt.Errorf("report the replication position: %w", err)
	}
	return nil
}

// end stops the stream unless opts.Hold keeps it for Confirm.
func (s *stream) end(ctx context.Context) error {
	if s.opts.Hold {
		return nil
	}
	return endStream(ctx, s.r.conn)
}

func endStream(ctx context.Context, conn *pgconn.PgConn) error {
	if _, err := pglogrepl.SendStandbyCopyDone(ctx, conn); err != nil {
		return fmt.Errorf("end the replication stream: %w", err)
	}
	return nil
}
