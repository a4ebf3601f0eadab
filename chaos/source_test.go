package chaos

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/internal/testenv"
)

// fixtureTable is one source table: how to fill it, how to change it
// between runs, and what to checksum, in SQL that Postgres and the lake's
// DuckDB both read the same way (every aggregate cast to BIGINT).
type fixtureTable struct {
	Name string
	// Fill creates and fills the table; {N} is its row count.
	Fill string
	Rows int
	// Change updates about a tenth of the rows and inserts new ones; {R} is the round.
	Change string
	// Key is an expression unique per primary key.
	Key string
	// Sums are the other aggregates compared.
	Sums []string
}

// fixtureTables are the tables of the multi-table syncs: a single key, a
// composite key, nullable text, numerics and timestamps.
var fixtureTables = []fixtureTable{
	{
		Name: "orders", Rows: 400_000,
		Fill: `CREATE TABLE orders (id bigint PRIMARY KEY, customer int NOT NULL, amount numeric(12,2), note text, placed_at timestamptz);
			INSERT INTO orders SELECT g, g % 997, g * 0.01, CASE WHEN g % 7 = 0 THEN NULL ELSE 'order ' || g END,
				timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, {N}) g;`,
		Change: `UPDATE orders SET amount = amount + 1, note = 'changed in round {R}' WHERE id % 10 = {R} % 10;
			INSERT INTO orders SELECT m + g, g % 997, g * 0.01, 'new in round {R}', timestamptz '2025-01-01 00:00:00+00' + g * interval '1 second'
				FROM generate_series(1, 2000) g, (SELECT max(id) AS m FROM orders) x;`,
		Key:  "id",
		Sums: []string{"sum(amount * 100)", "sum(customer)", "count(note)", "sum(length(note))", "sum(CAST(date_part('epoch', placed_at) AS BIGINT))"},
	},
	{
		Name: "events", Rows: 250_000,
		Fill: `CREATE TABLE events (device int, seq int, kind text NOT NULL, value bigint, PRIMARY KEY (device, seq));
			INSERT INTO events SELECT g / 1000, g % 1000, 'kind ' || (g % 13), g FROM generate_series(0, {N} - 1) g;`,
		Change: `UPDATE events SET value = value + {R}, kind = 'kind changed {R}' WHERE seq % 10 = {R} % 10;
			INSERT INTO events SELECT m + 1, g, 'new {R}', g FROM generate_series(0, 999) g, (SELECT max(device) AS m FROM events) x;`,
		Key:  "CAST(device AS BIGINT) * 1000000 + seq",
		Sums: []string{"sum(value)", "sum(length(kind))"},
	},
	{
		Name: "users", Rows: 100_000,
		Fill: `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, active bool NOT NULL);
			INSERT INTO users SELECT g, 'user' || g || '@example.com', g % 3 = 0 FROM generate_series(1, {N}) g;`,
		Change: `UPDATE users SET active = NOT active, email = 'r{R}.' || email WHERE id % 10 = {R} % 10;
			INSERT INTO users SELECT m + g, 'new' || g || '@example.com', true FROM generate_series(1, 500) g, (SELECT max(id) AS m FROM users) x;`,
		Key:  "id",
		Sums: []string{"sum(CASE WHEN active THEN 1 ELSE 0 END)", "sum(length(email))"},
	},
}

// source is a scratch schema holding the fixture tables: in the local
// Postgres, or (URL set) in the database URL names.
type source struct {
	Schema string
	Tables []fixtureTable
	URL    string
}

// exec runs SQL on the source.
func (src *source) exec(t *testing.T, sql string) {
	t.Helper()
	if src.URL == "" {
		testenv.ExecPostgres(t, sql)
		return
	}
	conn := src.connect(t)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql); err != nil {
		t.Fatalf("SQL on the source: %v", err)
	}
}

// connect connects to the source's database.
func (src *source) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	url := src.URL
	if url == "" {
		url = dbtest.AdminURL()
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("connect to the source: %v", err)
	}
	return conn
}

// newSource creates and fills the fixture tables (a quarter of their rows
// in the short form, unless fullSize); the schema is dropped when the test ends.
func newSource(t *testing.T, tables []fixtureTable, fullSize bool) *source {
	t.Helper()
	tables = append([]fixtureTable(nil), tables...)
	var setup strings.Builder
	for i, ft := range tables {
		if short() && !fullSize {
			ft.Rows /= 4
			tables[i] = ft
		}
		setup.WriteString(strings.ReplaceAll(ft.Fill, "{N}", strconv.Itoa(ft.Rows)))
	}
	schema := testenv.PostgresSchema(t, setup.String())
	testenv.ExecPostgres(t, "ANALYZE "+schema+"."+tables[0].Name)
	return &source{Schema: schema, Tables: tables}
}

// names are the tables as a sync configuration lists them.
func (src *source) names() []string {
	out := make([]string, len(src.Tables))
	for i, ft := range src.Tables {
		out[i] = src.Schema + "." + ft.Name
	}
	return out
}

// change runs every table's Change for round r.
func (src *source) change(t *testing.T, r int) {
	t.Helper()
	var sql strings.Builder
	sql.WriteString("SET search_path TO " + src.Schema + "; ")
	for _, ft := range src.Tables {
		sql.WriteString(strings.ReplaceAll(ft.Change, "{R}", strconv.Itoa(r)))
	}
	src.exec(t, sql.String())
}

// checksum is a table's aggregates: rows, distinct keys, the key sum, then Sums.
type checksum []int64

func (c checksum) rows() int64 { return c[0] }
func (c checksum) keys() int64 { return c[1] }

// checksumSQL selects ft's checksum from the table named from.
func checksumSQL(ft fixtureTable, from string) string {
	cols := []string{"count(*)", "count(DISTINCT " + ft.Key + ")", "sum(" + ft.Key + ")"}
	cols = append(cols, ft.Sums...)
	for i, c := range cols {
		cols[i] = fmt.Sprintf("CAST(%s AS BIGINT) AS c%d", c, i)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + from
}

// sourceChecksum reads ft's checksum from the source.
func (src *source) sourceChecksum(t *testing.T, ft fixtureTable) checksum {
	t.Helper()
	ctx := context.Background()
	conn := src.connect(t)
	defer conn.Close(ctx)
	n := 3 + len(ft.Sums)
	sum := make(checksum, n)
	dest := make([]any, n)
	for i := range sum {
		dest[i] = &sum[i]
	}
	if err := conn.QueryRow(ctx, checksumSQL(ft, src.Schema+"."+ft.Name)).Scan(dest...); err != nil {
		t.Fatalf("checksum source %s: %v", ft.Name, err)
	}
	return sum
}

// lakeChecksum reads ft's checksum from destSchema in the team's lake.
func (s *stack) lakeChecksum(t *testing.T, ft fixtureTable, destSchema string) checksum {
	t.Helper()
	rows := s.query(t, checksumSQL(ft, destSchema+"."+ft.Name))
	if len(rows) != 1 {
		t.Fatalf("checksum lake %s: %d rows", ft.Name, len(rows))
	}
	sum := make(checksum, 3+len(ft.Sums))
	for i := range sum {
		sum[i] = integer(rows[0]["c"+strconv.Itoa(i)])
	}
	return sum
}

// tally is what comparing the lake with the source found.
type tally struct {
	Lost, Duplicated int64
	Mismatches       []string
}

// compare checks every table of src against destSchema in the lake.
func (s *stack) compare(t *testing.T, src *source, destSchema string) tally {
	t.Helper()
	var out tally
	for _, ft := range src.Tables {
		want, got := src.sourceChecksum(t, ft), s.lakeChecksum(t, ft, destSchema)
		out.Duplicated += got.rows() - got.keys()
		if lost := want.keys() - got.keys(); lost > 0 {
			out.Lost += lost
		}
		if fmt.Sprint(want) != fmt.Sprint(got) {
			out.Mismatches = append(out.Mismatches, fmt.Sprintf("%s: source %v, lake %v", ft.Name, want, got))
		}
	}
	return out
}
