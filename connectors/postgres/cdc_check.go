package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

// SlotName is the logical replication slot a sync configuration owns: derived
// from its id, so it is a safe identifier (slot names allow only [a-z0-9_]).
func SlotName(configID uuid.UUID) string {
	return "sluice_" + strings.ReplaceAll(configID.String(), "-", "")
}

// PublicationName is the publication a sync configuration owns; it is named
// like its slot.
func PublicationName(configID uuid.UUID) string { return SlotName(configID) }

// CDCProblems checks that the source can serve change data capture of
// tables and returns, for each thing that stops it, what to change; none
// means it can. A source it cannot query is an error.
func (c *Connector) CDCProblems(ctx context.Context, tables []connectors.TableRef) ([]string, error) {
	if c.redshift {
		return []string{"Redshift has no logical replication; use load_method merge with a cursor_field instead of cdc"}, nil
	}
	conn, err := c.acquire(ctx)
	if err != nil {
		return nil, asConnectionError(err)
	}
	defer conn.Release()
	var problems []string
	var walLevel string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&walLevel); err != nil {
		return nil, fmt.Errorf("read wal_level: %w", queryError(err, c.creds))
	}
	if walLevel != "logical" {
		problems = append(problems, fmt.Sprintf("wal_level is %s; set wal_level = logical in postgresql.conf (rds.logical_replication = 1 on RDS) and restart the server", walLevel))
	}
	var role string
	var canReplicate bool
	if err := conn.QueryRow(ctx, `SELECT current_user, rolreplication OR rolsuper
		OR EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'rds_replication' AND pg_has_role(current_user, g.oid, 'MEMBER'))
		FROM pg_roles WHERE rolname = current_user`).Scan(&role, &canReplicate); err != nil {
		return nil, fmt.Errorf("read the role's privileges: %w", queryError(err, c.creds))
	}
	if !canReplicate {
		problems = append(problems, fmt.Sprintf("role %s cannot open a replication connection; run ALTER ROLE %s WITH REPLICATION (GRANT rds_replication TO %s on RDS)",
			role, pgx.Identifier{role}.Sanitize(), pgx.Identifier{role}.Sanitize()))
	}
	for _, t := range tables {
		p, err := tableCDCProblem(ctx, conn.Conn(), t, role)
		if err != nil {
			return nil, fmt.Errorf("check %s for cdc: %w", t, queryError(err, c.creds))
		}
		if p != "" {
			problems = append(problems, p)
		}
	}
	return problems, nil
}

// tableCDCProblem says what keeps a table from change data capture: updates
// and deletes must carry the row's key (a primary key, a replica identity
// index or FULL), and the role must own the table to publish it.
func tableCDCProblem(ctx context.Context, conn *pgx.Conn, t connectors.TableRef, role string) (string, error) {
	var identity string
	var hasPK, owns bool
	err := conn.QueryRow(ctx, `SELECT c.relreplident::text,
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary),
		pg_has_role(current_user, c.relowner, 'USAGE')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`, t.Schema, t.Name).Scan(&identity, &hasPK, &owns)
	if err == pgx.ErrNoRows {
		return fmt.Sprintf("%s is not a table (views cannot be replicated)", t), nil
	}
	if err != nil {
		return "", err
	}
	name := pgx.Identifier{t.Schema, t.Name}.Sanitize()
	switch {
	case identity == "n":
		return fmt.Sprintf("table %s has REPLICA IDENTITY NOTHING, so its updates and deletes carry no key; run ALTER TABLE %s REPLICA IDENTITY DEFAULT (with a primary key) or FULL", t, name), nil
	case identity == "d" && !hasPK:
		return fmt.Sprintf("table %s has no primary key, so its updates and deletes carry no key; add a primary key, or run ALTER TABLE %s REPLICA IDENTITY FULL and set primary_keys", t, name), nil
	case !owns:
		return fmt.Sprintf("role %s does not own table %s, which it must to add it to sluice's publication; run ALTER TABLE %s OWNER TO %s", role, t, name, pgx.Identifier{role}.Sanitize()), nil
	}
	return "", nil
}
