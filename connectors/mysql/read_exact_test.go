package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/lake"
)

// everyTypeTable holds every MySQL/MariaDB type sluice maps, with edge
// values: extremes, zero dates, negative and fractional decimals of every
// precision, binary strings with zero bytes, NULLs.
const everyTypeTable = `CREATE TABLE %s.every (
  id int PRIMARY KEY, ti tinyint, tiu tinyint unsigned, si smallint, mi mediumint, i int, iu int unsigned,
  bi bigint, biu bigint unsigned, flag boolean, bit1 bit(1), bit8 bit(8), yr year, fl float, db double,
  d2 decimal(12,2), d0 decimal(18,0), d18 decimal(18,18), d30 decimal(30,10), d65 decimal(65,30),
  dt datetime, dt6 datetime(6), ts timestamp(3) NULL, da date, tm time(6), js json,
  en enum('a','b'), st set('x','y'), bl blob, bn binary(4), vb varbinary(16), vc varchar(64), tx text, ch char(3), uu uuid)`

var everyTypeRows = []string{
	`(1, -128, 255, -32768, -8388608, -2147483648, 4294967295, -9223372036854775808, 9223372036854775807, true, b'1', b'10100101', 1901,
	  -3.4e38, 1.7976931348623157e308, -9999999999.99, 999999999999999999, 0.999999999999999999, -12345678901234567890.0123456789,
	  -12345678.123456789012345678901234567890,
	  '1000-01-01 00:00:00', '9999-12-31 23:59:59.999999', '1970-01-01 00:00:01.001', '1000-01-01', '23:59:59.999999', '{"k": [1, 2.5, "é"]}',
	  'a', 'x,y', X'00ff00', X'01', X'', 'héllo ''world'' 😀', REPEAT('t', 3000), 'ab', '123e4567-e89b-12d3-a456-426614174000')`,
	`(2, 127, 0, 32767, 8388607, 2147483647, 0, 9223372036854775807, 0, false, b'0', b'0', 2155,
	  1.1, -0.1, -0.01, -1, -0.000000000000000001, 0.0000000001, -0.000000000000000000000000000001,
	  '0000-00-00 00:00:00', '2024-02-29 12:34:56.000001', '2038-01-19 03:14:07.999', '0000-00-00', '00:00:00', '[]',
	  'b', '', X'', X'00000000', X'0001ff', '', '', '', '00000000-0000-0000-0000-000000000000')`,
	`(3, 0, 1, 0, 0, 0, 1, 0, 1, true, b'1', b'11111111', 0,
	  0, 0, 0.50, 0, 0, 0, 0,
	  '2024-01-02 03:04:05', '1970-01-01 00:00:00', '2024-01-02 03:04:05.5', '2024-01-02', '00:00:00.5', 'null',
	  NULL, 'y', NULL, NULL, NULL, 'x', 'plain', 'x', NULL)`,
	`(4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
	`(5, 1, 2, 3, 4, 5, 6, 7, 8, true, b'0', b'1', 2000,
	  3.25, 2.5e-300, 12.5, -999999999999999999, -0.5, 1.5, 7,
	  '2000-01-01 00:00:00', '2000-01-01 00:00:00.5', NULL, '2000-02-29', '12:00:01', '{"a": null}',
	  'a', 'x', X'ff', X'ffffffff', X'ff', 'z', 'z', 'z', '123e4567-e89b-12d3-a456-426614174001')`,
}

// TestReadConvertsEveryTypeAsBefore reads a table of every type through
// Read (typed column batches, several chunks so later ones run as prepared
// statements) into the lake, and the same rows through the former read
// (database/sql's Scan into any, then normalize) into another lake table,
// and compares what the lake holds.
func TestReadConvertsEveryTypeAsBefore(t *testing.T) {
	ctx := context.Background()
	c, schema, cols := everyTypeFixture(t)
	ref := connectors.TableRef{Schema: schema, Name: "every"}
	lk := testLake(t)

	newWriter, err := lk.NewTableWriter(ctx, schema, "read_new", cols)
	if err != nil {
		t.Fatal(err)
	}
	sink := &writerSink{w: newWriter}
	stats, err := c.Read(ctx, connectors.ReadRequest{Table: ref, Columns: cols, OrderBy: []string{"id"}, ChunkRows: 2, BatchSize: 1}, sink)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if stats.Rows != int64(len(everyTypeRows)) || sink.columnBatches == 0 {
		t.Fatalf("read %d rows in %d column batches, want %d rows in column batches", stats.Rows, sink.columnBatches, len(everyTypeRows))
	}
	commitTable(t, lk, schema, "read_new", cols, newWriter)

	oldRows := readAsBefore(t, c, schema, cols)
	oldWriter, err := lk.NewTableWriter(ctx, schema, "read_old", cols)
	if err != nil {
		t.Fatal(err)
	}
	if err := oldWriter.WriteBatch(ctx, oldRows); err != nil {
		t.Fatalf("write the former read's rows: %v", err)
	}
	commitTable(t, lk, schema, "read_old", cols, oldWriter)

	got := lakeRows(t, lk, schema, "read_new")
	want := lakeRows(t, lk, schema, "read_old")
	if len(got) != len(want) {
		t.Fatalf("%d rows in the lake, want %d", len(got), len(want))
	}
	bit1 := slices.IndexFunc(cols, func(c connectors.Column) bool { return c.Name == "bit1" })
	if got[0][bit1] != true || got[1][bit1] != false { // a BIT(1) arrives as the byte 1 or 0
		t.Errorf("bit(1) values b'1' and b'0' read as %v and %v", got[0][bit1], got[1][bit1])
	}
	for r := range want {
		for i, col := range cols {
			if !reflect.DeepEqual(got[r][i], want[r][i]) {
				t.Errorf("row %d, %s (%s): %#v, want %#v", r+1, col.Name, col.Type.Kind, got[r][i], want[r][i])
			}
		}
	}
}

// TestReadGivesRowSinksTheFormerValues reads the table of every type into a
// sink of rows, which must get exactly the values the former read gave.
func TestReadGivesRowSinksTheFormerValues(t *testing.T) {
	c, schema, cols := everyTypeFixture(t)
	var sink rowsSink
	ref := connectors.TableRef{Schema: schema, Name: "every"}
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: ref, Columns: cols, BatchSize: 2}, &sink); err != nil {
		t.Fatalf("read: %v", err)
	}
	want := readAsBefore(t, c, schema, cols)
	if len(sink.rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(sink.rows), len(want))
	}
	for r := range want {
		for i, col := range cols {
			if !reflect.DeepEqual(sink.rows[r][i], want[r][i]) {
				t.Errorf("row %d, %s (%s): %#v, want %#v", r+1, col.Name, col.Type.Kind, sink.rows[r][i], want[r][i])
			}
		}
	}
}

type rowsSink struct{ rows [][]any }

func (s *rowsSink) WriteBatch(_ context.Context, rows [][]any) error {
	s.rows = append(s.rows, rows...)
	return nil
}

// everyTypeFixture makes the table of every type and opens the connector
// on its database.
func everyTypeFixture(t *testing.T) (*Connector, string, []connectors.Column) {
	t.Helper()
	schema := conformance.NewSchemaName()
	admin := fixtureSession(t)
	mustExec(t, admin, "CREATE DATABASE "+schema)
	t.Cleanup(func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE "+schema) })
	mustExec(t, admin, fmt.Sprintf(everyTypeTable, schema))
	mustExec(t, admin, fmt.Sprintf("INSERT INTO %s.every VALUES %s", schema, strings.Join(everyTypeRows, ", ")))
	c := openTestConnector(t, schema, "")
	cols, err := c.Columns(context.Background(), connectors.TableRef{Schema: schema, Name: "every"})
	if err != nil {
		t.Fatal(err)
	}
	return c, schema, cols
}

// readAsBefore reads the table as Read did before typed batches.
func readAsBefore(t *testing.T, c *Connector, schema string, cols []connectors.Column) [][]any {
	t.Helper()
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = quoteIdent(col.Name)
	}
	rows, err := c.db.Query(fmt.Sprintf("SELECT %s FROM %s.every ORDER BY id", strings.Join(names, ", "), quoteIdent(schema)))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		values := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i := range values {
			values[i] = normalize(values[i], cols[i].Type)
		}
		out = append(out, values)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// writerSink writes what Read delivers into a lake table.
type writerSink struct {
	w             *lake.TableWriter
	columnBatches int
}

func (s *writerSink) WriteBatch(ctx context.Context, rows [][]any) error {
	return s.w.WriteBatch(ctx, rows)
}

func (s *writerSink) WriteColumns(ctx context.Context, b *connectors.ColumnBatch) error {
	s.columnBatches++
	return s.w.WriteColumns(ctx, b)
}

func testLake(t testing.TB) *lake.Lake {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	catalog := "lake_" + conformance.NewSchemaName()
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+catalog+" CASCADE")
		pool.Close()
	})
	lk, err := lake.Open(ctx, pool, catalog, t.TempDir())
	if err != nil {
		t.Fatalf("open lake: %v", err)
	}
	return lk
}

func commitTable(t *testing.T, lk *lake.Lake, schema, table string, cols []connectors.Column, w *lake.TableWriter) {
	t.Helper()
	files, err := w.Finish(context.Background())
	if err != nil {
		t.Fatalf("finish %s: %v", table, err)
	}
	if _, err := lk.Commit(context.Background(), lake.CommitRequest{Schema: schema, Table: table, Columns: cols, Method: lake.LoadOverwrite, Files: files}); err != nil {
		t.Fatalf("commit %s: %v", table, err)
	}
}

func lakeRows(t *testing.T, lk *lake.Lake, schema, table string) [][]any {
	t.Helper()
	rs, err := lk.Query(context.Background(), fmt.Sprintf("SELECT * FROM %s.%s ORDER BY id", schema, table), lake.QueryOptions{MaxRows: 100})
	if err != nil {
		t.Fatalf("query %s: %v", table, err)
	}
	return rs.Rows
}

// fixtureSession is one admin connection in UTC, with zero dates allowed.
func fixtureSession(t *testing.T) *sql.Conn {
	t.Helper()
	conn, err := adminDB(t).Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	mustExec(t, conn, "SET SESSION sql_mode = '', time_zone = '+00:00'")
	return conn
}

func mustExec(t *testing.T, conn *sql.Conn, stmt string) {
	t.Helper()
	if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
		t.Fatalf("%.80s: %v", stmt, err)
	}
}
