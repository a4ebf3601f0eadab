package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/connectors"
)

// ErrSlotGone means the sync's replication slot no longer exists or was
// invalidated (max_slot_wal_keep_size removed WAL it needed): the changes
// since its last position are lost, and only a fresh snapshot recovers.
var ErrSlotGone = errors.New("the replication slot is gone or invalidated")

// SlotStatus is what the source says of a replication slot.
type SlotStatus struct {
	Exists bool
	// Lost is true once the server invalidated the slot.
	Lost bool
	// ConfirmedLSN is the position the slot's consumer confirmed.
	ConfirmedLSN pglogrepl.LSN
	// LagBytes is WAL the slot holds back: the server's position minus the
	// confirmed one.
	LagBytes int64
	// CurrentLSN is the server's WAL position when asked.
	CurrentLSN pglogrepl.LSN
}

// Slot reads a replication slot's status.
func (c *Connector) Slot(ctx context.Context, slot string) (SlotStatus, error) {
	conn, err := c.acquire(ctx)
	if err != nil {
		return SlotStatus{}, asConnectionError(err)
	}
	defer conn.Release()
	var current string
	if err := conn.QueryRow(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&current); err != nil {
		return SlotStatus{}, fmt.Errorf("read the server's WAL position: %w", queryError(err, c.creds))
	}
	st := SlotStatus{}
	st.CurrentLSN, _ = pglogrepl.ParseLSN(current)
	var confirmed *string
	var walStatus *string
	err = conn.QueryRow(ctx, `SELECT confirmed_flush_lsn::text, wal_status,
		COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint
		FROM pg_replication_slots WHERE slot_name = $1`, slot).Scan(&confirmed, &walStatus, &st.LagBytes)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return SlotStatus{}, fmt.Errorf("read replication slot %s: %w", slot, queryError(err, c.creds))
	}
	st.Exists = true
	st.Lost = walStatus != nil && *walStatus == "lost"
	if confirmed != nil {
		st.ConfirmedLSN, _ = pglogrepl.ParseLSN(*confirmed)
	}
	return st, nil
}

// EnsurePublication creates the publication of tables, or sets its tables
// to them when it exists.
func (c *Connector) EnsurePublication(ctx context.Context, publication string, tables []connectors.TableRef) error {
	if len(tables) == 0 {
		return errors.New("a publication needs at least one table")
	}
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = pgx.Identifier{t.Schema, t.Name}.Sanitize()
	}
	conn, err := c.acquire(ctx)
	if err != nil {
		return asConnectionError(err)
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)", publication).Scan(&exists); err != nil {
		return fmt.Errorf("look up publication %s: %w", publication, queryError(err, c.creds))
	}
	stmt := "CREATE PUBLICATION %s FOR TABLE %s"
	if exists {
		stmt = "ALTER PUBLICATION %s SET TABLE %s"
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(stmt, pgx.Identifier{publication}.Sanitize(), strings.Join(names, ", "))); err != nil {
		return fmt.Errorf("publish the tables in %s: %w", publication, queryError(err, c.creds))
	}
	return nil
}

// DropCDC drops a configuration's slot and publication, whichever exist.
// A slot still in use (a run streaming from it) is ended first.
func (c *Connector) DropCDC(ctx context.Context, slot, publication string) error {
	conn, err := c.acquire(ctx)
	if err != nil {
		return asConnectionError(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`, slot); err != nil {
		return fmt.Errorf("end the use of replication slot %s: %w", slot, queryError(err, c.creds))
	}
	for _, name := range []string{slot, keptSlot(slot)} {
		if err := dropSlotIfExists(ctx, conn.Conn(), name); err != nil {
			return fmt.Errorf("drop replication slot %s: %w", name, queryError(err, c.creds))
		}
	}
	if _, err := conn.Exec(ctx, "DROP PUBLICATION IF EXISTS "+pgx.Identifier{publication}.Sanitize()); err != nil {
		return fmt.Errorf("drop publication %s: %w", publication, queryError(err, c.creds))
	}
	return nil
}

// Replication is a replication connection to the source: it creates the
// slot with an exported snapshot (PeekChanges reads the slot's changes).
type Replication struct {
	conn *pgconn.PgConn
}

// OpenReplication opens a replication connection to the source's database.
func (c *Connector) OpenReplication(ctx context.Context) (*Replication, error) {
	cfg := c.config.ConnConfig.Config.Copy()
	cfg.RuntimeParams["replication"] = "database"
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, connectors.NewStepError(connectStep(err), conciseConnectError(err), c.creds)
	}
	return &Replication{conn: conn}, nil
}

// Close closes the connection; an exported snapshot ends with it.
func (r *Replication) Close(ctx context.Context) error { return r.conn.Close(ctx) }

// CreatedSlot is a new slot: the snapshot it exported, valid while the
// replication connection stays open and idle, and the position its first
// change will follow.
type CreatedSlot struct {
	Snapshot        string
	ConsistentPoint pglogrepl.LSN
}

// CreateSlot creates a pgoutput slot and exports the snapshot consistent
// with it, so a copy read in that snapshot and the slot's changes neither
// miss nor repeat a transaction.
func (r *Replication) CreateSlot(ctx context.Context, slot string) (CreatedSlot, error) {
	res, err := pglogrepl.CreateReplicationSlot(ctx, r.conn, slot, "pgoutput", pglogrepl.CreateReplicationSlotOptions{
		Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT",
	})
	if err != nil {
		return CreatedSlot{}, fmt.Errorf("create replication slot %s: %w", slot, err)
	}
	lsn, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return CreatedSlot{}, fmt.Errorf("create replication slot %s: consistent point %q: %w", slot, res.ConsistentPoint, err)
	}
	return CreatedSlot{Snapshot: res.SnapshotName, ConsistentPoint: lsn}, nil
}

// AdvanceSlot confirms that the changes before lsn are applied, so the
// source may recycle the WAL that holds them. The slot never moves back.
func (c *Connector) AdvanceSlot(ctx context.Context, slot string, lsn pglogrepl.LSN) error {
	conn, err := c.acquire(ctx)
	if err != nil {
		return asConnectionError(err)
	}
	defer conn.Release()
	_, err = conn.Exec(ctx, `SELECT pg_replication_slot_advance($1, $2::text::pg_lsn)
		FROM pg_replication_slots WHERE slot_name = $1 AND confirmed_flush_lsn < $2::text::pg_lsn`, slot, lsn.String())
	if err != nil {
		return c.slotError(slot, "advance", err)
	}
	return nil
}

// PublishedTables lists the tables a publication publishes.
func (c *Connector) PublishedTables(ctx context.Context, publication string) ([]connectors.TableRef, error) {
	return rowsOf(ctx, c, `SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = $1`,
		func(row pgx.CollectableRow) (connectors.TableRef, error) {
			var t connectors.TableRef
			err := row.Scan(&t.Schema, &t.Name)
			return t, err
		}, publication)
}
