package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// Redshift speaks the Postgres protocol, so its code paths — the svv_
// catalog queries of discovery, the plain-query bulk read (Redshift has no
// binary COPY out) and the session-level statement timeout — run here
// against the local Postgres. Postgres has no svv_ views: redshiftShim
// creates views named and shaped like Redshift's svv_tables,
// svv_table_info and svv_columns over Postgres's catalog in a schema of
// their own, and a login role with only SELECT (as the README recommends)
// whose search_path finds them.

// redshiftShim is the fixture: a schema of data, a schema of svv_ views and
// a read-only role.
type redshiftShim struct {
	schema, catalog, role string
}

func newRedshiftShim() redshiftShim {
	name := conformance.NewSchemaName()
	return redshiftShim{schema: name, catalog: name + "_svv", role: name + "_reader"}
}

// credentials log in as the shim's role (the server trusts local logins).
func (s redshiftShim) credentials() map[string]any {
	pg := conformance.PostgresServer()
	return map[string]any{"host": pg.Host, "port": pg.Port, "database": "postgres",
		"username": s.role, "password": "unused-trust", "sslmode": "disable"}
}

// setup creates the data (with Redshift's types where Postgres has them:
// jsonb and bytea stand in for SUPER and VARBYTE), the svv_ views and the role.
func (s redshiftShim) setup(t *testing.T) func() {
	exec(t, `CREATE SCHEMA `+s.schema+`;
CREATE TABLE `+s.schema+`.kinds (
  id integer PRIMARY KEY, big bigint, ratio double precision, amount numeric(12,3), flag boolean,
  day date, label varchar(100) NOT NULL, doc jsonb, raw bytea, at timestamp with time zone);
INSERT INTO `+s.schema+`.kinds VALUES
  (1, 9007199254740993, 0.25, 123456789.123, true, '2024-02-29', 'héllo, ''world''', '{"k": [1, 2]}', '\x0001ff', '2024-01-02 03:04:05+00'),
  (2, -1, -1.5, -0.001, false, '1999-12-31', 'second', '[]', '\x', '1970-01-01 00:00:00+00'),
  (3, NULL, NULL, NULL, NULL, NULL, 'nulls', NULL, NULL, NULL);
CREATE VIEW `+s.schema+`.kinds_view AS SELECT id, label FROM `+s.schema+`.kinds;
CREATE VIEW `+s.schema+`.many AS SELECT g AS id FROM generate_series(1, 5000000) g;
ANALYZE `+s.schema+`.kinds;
CREATE SCHEMA `+s.catalog+`;
CREATE VIEW `+s.catalog+`.svv_tables AS
  SELECT table_catalog::varchar, table_schema::varchar, table_name::varchar, table_type::varchar, NULL::varchar AS remarks
  FROM information_schema.tables
  UNION ALL -- a Spectrum table: svv_tables lists it, pg_class does not
  SELECT current_database(), '`+s.schema+`', 'spectrum_events', 'EXTERNAL TABLE', 'events in S3';
CREATE VIEW `+s.catalog+`.svv_table_info AS
  SELECT n.nspname::varchar AS schema, c.relname::varchar AS "table", c.reltuples::numeric(38,0) AS tbl_rows
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r';
CREATE VIEW `+s.catalog+`.svv_columns AS
  SELECT table_catalog::varchar, table_schema::varchar, table_name::varchar, column_name::varchar, ordinal_position::int,
         column_default::varchar, is_nullable::varchar, data_type::varchar, character_maximum_length::int,
         numeric_precision::int, numeric_precision_radix::int, numeric_scale::int, NULL::varchar AS remarks
  FROM information_schema.columns;
CREATE ROLE `+s.role+` LOGIN;
ALTER ROLE `+s.role+` SET search_path = `+s.catalog+`, public;
GRANT USAGE ON SCHEMA `+s.schema+`, `+s.catalog+` TO `+s.role+`;
GRANT SELECT ON ALL TABLES IN SCHEMA `+s.schema+`, `+s.catalog+` TO `+s.role+`;`)
	return func() {
		exec(t, "DROP SCHEMA "+s.schema+" CASCADE; DROP SCHEMA "+s.catalog+" CASCADE; DROP OWNED BY "+s.role+"; DROP ROLE "+s.role)
	}
}

// TestRedshiftConformance runs the shared suite through the redshift
// connector on the shim.
func TestRedshiftConformance(t *testing.T) {
	netguard.SetAllowPrivate(true)
	s := newRedshiftShim()
	conformance.Run(t, conformance.Fixture{
		Type:           "redshift",
		Credentials:    s.credentials(),
		Schema:         s.schema,
		QualifiedTable: s.schema + ".kinds",
		SleepSQL:       "SELECT pg_sleep(%d)",
		Setup:          s.setup,
	})
}

// TestRedshiftCodePaths shows that the redshift connector takes its own
// paths, where the postgres connector on the same database does not.
func TestRedshiftCodePaths(t *testing.T) {
	netguard.SetAllowPrivate(true)
	s := newRedshiftShim()
	t.Cleanup(s.setup(t))
	redshift := openAs(t, "redshift", s.credentials())
	postgres := openAs(t, "postgres", s.credentials())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	if d := redshift.Dialect(); d != connectors.DialectRedshift {
		t.Errorf("dialect %s, want redshift", d)
	}
	t.Run("discovery reads svv_tables", func(t *testing.T) {
		kinds := func(c connectorAPI) map[string]connectors.Table {
			tables, err := c.Tables(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]connectors.Table{}
			for _, tb := range tables {
				if tb.Schema == s.schema {
					out[tb.Name] = tb
				}
			}
			return out
		}
		rs, pg := kinds(redshift), kinds(postgres)
		if ext := rs["spectrum_events"]; ext.Kind != connectors.TableKindExternal || ext.Comment != "events in S3" {
			t.Errorf("redshift lists the Spectrum table as %+v, want an external table with its remarks", ext)
		}
		if _, ok := pg["spectrum_events"]; ok {
			t.Error("postgres lists a table only svv_tables has")
		}
		if n := rs["kinds"].RowEstimate; n == nil || *n != 3 {
			t.Errorf("kinds row estimate from svv_table_info = %v, want 3", n)
		}
	})
	t.Run("columns come from svv_columns", func(t *testing.T) {
		cols, err := redshift.Columns(ctx, connectors.TableRef{Schema: s.schema, Name: "kinds"})
		if err != nil {
			t.Fatal(err)
		}
		// svv_columns names types the SQL way; pg_attribute the Postgres way.
		if cols[6].SourceType != "character varying" || cols[9].SourceType != "timestamp with time zone" || cols[9].Type.Kind != connectors.KindTimestampTZ {
			t.Errorf("label %q, at %q (%s); want svv_columns' type names", cols[6].SourceType, cols[9].SourceType, cols[9].Type)
		}
		if !cols[0].PrimaryKey {
			t.Error("id is not reported as the primary key to a user who may only SELECT")
		}
	})
	t.Run("bulk reads run a plain query", func(t *testing.T) {
		if q := activeReadQuery(t, redshift, s); !strings.HasPrefix(q, "SELECT ") {
			t.Errorf("redshift read runs %q, want a plain SELECT", q)
		}
		if q := activeReadQuery(t, postgres, s); !strings.HasPrefix(q, "COPY (SELECT ") {
			t.Errorf("postgres read runs %q, want COPY … TO STDOUT", q)
		}
	})
	t.Run("the statement timeout does not outlive the query", func(t *testing.T) {
		var qe *connectors.QueryError
		if _, err := redshift.Query(ctx, "SELECT pg_sleep(3)", connectors.QueryOptions{MaxRows: 1, Timeout: time.Second}); !errors.As(err, &qe) || qe.Kind != connectors.QueryErrTimeout {
			t.Fatalf("slow query: %v, want a timeout", err)
		}
		for i := range 8 { // every pooled connection
			res, err := redshift.Query(ctx, "SHOW statement_timeout", connectors.QueryOptions{MaxRows: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rows[0][0] != "0" {
				t.Fatalf("query %d after a timed query runs with statement_timeout %v, want 0", i, res.Rows[0][0])
			}
		}
	})
}

// connectorAPI is what these tests use of a connector.
type connectorAPI interface {
	connectors.Discoverer
	connectors.Querier
	connectors.Reader
	connectors.DialectOf
}

func openAs(t *testing.T, typ string, values map[string]any) connectorAPI {
	t.Helper()
	spec, _ := connectors.Lookup(typ)
	config, secrets, err := spec.Normalize(values)
	if err != nil {
		t.Fatal(err)
	}
	c, closeFn, err := connectors.Open[connectorAPI](context.Background(), typ, connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeFn(context.Background()) })
	return c
}

// blockingSink holds the first batch until released, so the read's
// statement stays active on the server.
type blockingSink struct {
	got     chan struct{}
	release chan struct{}
}

func (s *blockingSink) WriteBatch(ctx context.Context, _ [][]any) error {
	select {
	case s.got <- struct{}{}:
	default:
	}
	select {
	case <-s.release:
		return errors.New("released")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// activeReadQuery starts a read of the shim's five-million-row view as the
// shim's role and returns the statement the server is running for it.
func activeReadQuery(t *testing.T, c connectorAPI, s redshiftShim) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sink := &blockingSink{got: make(chan struct{}, 1), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(ctx, connectors.ReadRequest{Table: connectors.TableRef{Schema: s.schema, Name: "many"},
			Columns: []connectors.Column{{Name: "id", Type: connectors.Scalar(connectors.KindInt)}}, BatchSize: 10}, sink)
		done <- err
	}()
	defer func() { close(sink.release); cancel(); <-done }()
	select {
	case <-sink.got:
	case err := <-done:
		t.Fatalf("read ended before its first batch: %v", err)
	}
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var query string
	err = conn.QueryRow(ctx, `SELECT query FROM pg_stat_activity WHERE usename = $1 AND state = 'active' AND query LIKE '%many%'`, s.role).Scan(&query)
	if err != nil {
		t.Fatalf("find the read's statement: %v", err)
	}
	return query
}
