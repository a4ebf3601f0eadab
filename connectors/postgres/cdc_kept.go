package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// A reader's position becomes the slot's without pg_replication_slot_advance,
// which decodes again, in fast-forward, all the WAL the reader decoded
// (0.6 s of a 6 s run applying a million changes): Keep copies the reader's
// copy into a permanent slot <slot>_next, and once the lake holds what was
// read, MoveSlotToKept drops the slot and copies <slot>_next into its name.
// A crash between the two leaves <slot>_next beside the slot (dropped by
// RecoverSlot: it may hold changes the lake does not) or in its place
// (copied back by RecoverSlot: the lake held its changes before the slot
// was dropped).

// keptSlot names the permanent copy of a reader's position.
func keptSlot(slot string) string { return slot + "_next" }

// Keep copies the reader's position into <slot>_next while the slot exists,
// replacing an earlier one. kept is false when the reader peeks, or the
// source has no replication slot to spare: the caller advances the slot.
func (r *ChangeReader) Keep(ctx context.Context) (kept bool, err error) {
	if r.conn == nil || r.conn.IsClosed() {
		return false, nil
	}
	next := keptSlot(r.slot)
	if err := dropSlotIfExists(ctx, r.conn, next); err != nil {
		return false, r.c.slotError(next, "drop", err)
	}
	// Only while the slot exists: a sync deleted meanwhile (DropCDC) leaves
	// no copy to outlive it.
	tag, err := r.conn.Exec(ctx, `SELECT pg_copy_logical_replication_slot($1::text::name, $2::text::name, false)
		FROM pg_replication_slots WHERE slot_name = $3`, r.copy, next, r.slot)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "53400" { // configuration_limit_exceeded: max_replication_slots
		return false, nil
	}
	if err != nil {
		return false, r.c.slotError(r.slot, "keep the position read from", err)
	}
	if tag.RowsAffected() == 0 {
		return false, fmt.Errorf("%w: %s", ErrSlotGone, r.slot)
	}
	return true, nil
}

// MoveSlotToKept makes the position Keep kept the slot's, after the lake
// holds the changes before it.
func (c *Connector) MoveSlotToKept(ctx context.Context, slot string) error {
	conn, err := c.acquire(ctx)
	if err != nil {
		return asConnectionError(err)
	}
	defer conn.Release()
	next := keptSlot(slot)
	dropped, err := dropSlot(ctx, conn.Conn(), slot)
	if err != nil {
		return c.slotError(slot, "replace", err)
	}
	if !dropped { // dropped with its sync: the kept copy goes too
		if err := dropSlotIfExists(ctx, conn.Conn(), next); err != nil {
			return c.slotError(next, "drop", err)
		}
		return fmt.Errorf("%w: %s", ErrSlotGone, slot)
	}
	return c.promoteKept(ctx, conn.Conn(), slot)
}

// RecoverSlot finishes or undoes a move a crash interrupted (see Keep):
// with the slot gone, <slot>_next takes its name; beside it, it is dropped.
func (c *Connector) RecoverSlot(ctx context.Context, slot string) error {
	conn, err := c.acquire(ctx)
	if err != nil {
		return asConnectionError(err)
	}
	defer conn.Release()
	var slotExists, keptExists bool
	if err := conn.QueryRow(ctx, `SELECT coalesce(bool_or(slot_name = $1), false), coalesce(bool_or(slot_name = $2), false) FROM pg_replication_slots WHERE slot_name IN ($1, $2)`,
		slot, keptSlot(slot)).Scan(&slotExists, &keptExists); err != nil {
		return fmt.Errorf("read replication slot %s: %w", slot, queryError(err, c.creds))
	}
	switch {
	case !keptExists:
		return nil
	case slotExists:
		if err := dropSlotIfExists(ctx, conn.Conn(), keptSlot(slot)); err != nil {
			return c.slotError(keptSlot(slot), "drop", err)
		}
		return nil
	}
	return c.promoteKept(ctx, conn.Conn(), slot)
}

// promoteKept copies <slot>_next into the slot's name, then drops it.
func (c *Connector) promoteKept(ctx context.Context, conn *pgx.Conn, slot string) error {
	next := keptSlot(slot)
	if _, err := conn.Exec(ctx, "SELECT pg_copy_logical_replication_slot($1::text::name, $2::text::name, false)", next, slot); err != nil {
		return c.slotError(next, "copy", err)
	}
	if err := dropSlotIfExists(ctx, conn, next); err != nil {
		return c.slotError(next, "drop", err)
	}
	return nil
}

func dropSlotIfExists(ctx context.Context, conn *pgx.Conn, slot string) error {
	_, err := dropSlot(ctx, conn, slot)
	return err
}

// dropSlot drops a replication slot if it exists, reporting whether it did.
func dropSlot(ctx context.Context, conn *pgx.Conn, slot string) (bool, error) {
	tag, err := conn.Exec(ctx, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", slot)
	return err == nil && tag.RowsAffected() > 0, err
}
