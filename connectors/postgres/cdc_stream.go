package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgconn"
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

// StreamOptions say which of a slot's changes to read.
type StreamOptions struct {
	Slot, Publication string
	// Start is the slot's confirmed position: changes committed after it
	// are read.
	Start pglogrepl.LSN
	// Until is the end of the window read: every transaction committed
	// before it is delivered.
	Until pglogrepl.LSN
	// Columns are the lake types of each published table's columns, by
	// "schema.table" and column name; a column not there is read as text.
	Columns map[string][]connectors.Column
	// SkipBefore skips the transactions that committed before it: their
	// changes are in the lake already (recorded there before the slot could
	// be advanced past them).
	SkipBefore pglogrepl.LSN
	// Binary asks for values in their binary form, which the server makes
	// with less work than text; see BinaryChanges for when it can.
	Binary bool
}

// slotError tells a slot that is gone or invalidated apart from other
// failures of what was done to it.
func (c *Connector) slotError(slot, doing string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == "42704" || pgErr.Code == "55000") { // undefined_object, object_not_in_prerequisite_state
		return fmt.Errorf("%w: %s: %s", ErrSlotGone, slot, pgErr.Message)
	}
	return fmt.Errorf("%s replication slot %s: %w", doing, slot, queryError(err, c.creds))
}

type relation struct {
	table   connectors.TableRef
	names   []string
	oids    []uint32
	types   []connectors.Type
	keyCols []bool
}

// stream decodes a slot's pgoutput messages into changes for its handler.
type stream struct {
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
