package sqlguard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
)

// pgScratch is a database of its own holding sg.items (five known rows) and
// the sequence sg.item_ids, both owned by a role that may write, alter and
// drop them but is not a superuser. Statements run as that role, so what
// stops a write there is the read-only transaction and not a missing
// privilege, while server-wide functions fail for want of superuser rather
// than act on a machine other tests share.
type pgScratch struct {
	admin    *pgx.Conn // superuser, connected to the scratch database
	ownerURL string
	conn     *pgx.Conn // the owner's connection statements run on
}

// newPGScratch creates the scratch database, or returns nil (and says why)
// when Postgres is not reachable. Everything it creates is dropped when tb
// ends.
func newPGScratch(tb testing.TB) *pgScratch {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	root, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		tb.Logf("Postgres not reachable at %s: %v", dbtest.AdminURL(), err)
		return nil
	}
	defer root.Close(ctx)
	name := "sg_" + randomHex(tb, 6)
	for _, sql := range []string{
		"CREATE ROLE " + name + " LOGIN",
		"CREATE DATABASE " + name + " OWNER " + name,
	} {
		if _, err := root.Exec(ctx, sql); err != nil {
			tb.Fatalf("create scratch: %s: %v", sql, err)
		}
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, dbtest.AdminURL())
		if err != nil {
			tb.Errorf("drop scratch %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		for _, sql := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "DROP ROLE IF EXISTS " + name} {
			if _, err := c.Exec(ctx, sql); err != nil {
				tb.Errorf("drop scratch: %s: %v", sql, err)
			}
		}
	})
	s := &pgScratch{admin: connectPG(ctx, tb, dbtest.AdminURL(), name, "")}
	tb.Cleanup(func() { s.admin.Close(context.Background()) })
	s.ownerURL = pgURL(tb, dbtest.AdminURL(), name, name)
	if _, err := s.admin.Exec(ctx, "CREATE SCHEMA sg AUTHORIZATION "+name); err != nil {
		tb.Fatalf("create scratch schema: %v", err)
	}
	s.conn = connectPG(ctx, tb, dbtest.AdminURL(), name, name)
	tb.Cleanup(func() { s.conn.Close(context.Background()) })
	for _, sql := range []string{
		"CREATE TABLE sg.items (id int PRIMARY KEY, name text NOT NULL, qty int NOT NULL)",
		"INSERT INTO sg.items VALUES (1, 'bolt', 10), (2, 'nut', 20), (3, 'washer', 0), (4, 'it''s', -1), (5, 'DROP TABLE', 5)",
		"CREATE SEQUENCE sg.item_ids",
	} {
		if _, err := s.conn.Exec(ctx, sql); err != nil {
			tb.Fatalf("fill scratch: %s: %v", sql, err)
		}
	}
	return s
}

// snapshot summarizes everything a statement could have changed: the rows'
// count and checksum, the sequence, the scratch database's relations and
// large objects.
func (s *pgScratch) snapshot(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out string
	err := s.admin.QueryRow(ctx, `SELECT concat_ws(' | ',
		(SELECT count(*) || ' rows ' || md5(string_agg(format('%s,%s,%s', id, name, qty), ';' ORDER BY id)) FROM sg.items),
		(SELECT 'sequence at ' || last_value || ' ' || is_called FROM sg.item_ids),
		(SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
		   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\_%temp%'),
		(SELECT count(*) || ' large objects' FROM pg_largeobject_metadata))`).Scan(&out)
	if err != nil {
		tb.Fatalf("snapshot scratch: %v", err)
	}
	return out
}

// runReadOnly runs sql as the connector does: in a read-only transaction
// with a statement timeout, through the extended protocol (which refuses a
// second statement), and rolls back. A session it leaves changed is reset,
// and a connection it broke is replaced. It returns the database's error.
func (s *pgScratch) runReadOnly(tb testing.TB, sql string) error {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runErr := func() error {
		tx, err := s.conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // the point is to roll back
		for _, set := range []string{"SET LOCAL statement_timeout = 100", "SET LOCAL lock_timeout = 100"} {
			if _, err := tx.Exec(ctx, set); err != nil {
				return fmt.Errorf("%s: %w", set, err)
			}
		}
		rows, err := tx.Query(ctx, sql, pgx.QueryExecModeDescribeExec)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		return rows.Err()
	}()
	// DISCARD ALL drops advisory locks, LISTENs, prepared statements and
	// settings the statement left on the session.
	if _, err := s.conn.Exec(ctx, "DISCARD ALL"); err != nil {
		s.conn.Close(ctx)
		s.conn = connectPG(ctx, tb, s.ownerURL, "", "")
	}
	return runErr
}

// connectPG connects to base, or to another database and user of its server.
func connectPG(ctx context.Context, tb testing.TB, base, database, user string) *pgx.Conn {
	tb.Helper()
	conn, err := pgx.Connect(ctx, pgURL(tb, base, database, user))
	if err != nil {
		tb.Fatalf("connect to scratch: %v", err)
	}
	return conn
}

// pgURL swaps the database and user of a connection URL where they are given.
func pgURL(tb testing.TB, base, database, user string) string {
	tb.Helper()
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", base, err)
	}
	if database != "" {
		u.Path = "/" + database
	}
	if user != "" {
		u.User = url.User(user)
	}
	return u.String()
}

// randomHex returns n random bytes in hex, for scratch names.
func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("read random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}
