package semantic_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	_ "github.com/sluice-dev/sluice/connectors/mysql"
	_ "github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/db/dbtest"
	"github.com/sluice-dev/sluice/netguard"
)

// engine is a real database the execution tests run compiled and
// hand-written SQL on, through sluice's own connector.
type engine struct {
	dialect connectors.Dialect
	schema  string
	querier connectors.Querier
}

func randomName(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// crmRows is the deals and companies data both engines hold: deterministic,
// with NULLs, quotes, a deleted company and dates across a year boundary.
func crmRows(timestamp func(time.Time) string) (companies, deals []string) {
	industries := []string{"software", "retail", "finance"}
	for id := 1; id <= 7; id++ {
		name := "Co " + strconv.Itoa(id)
		if id == 1 {
			name = "Acme"
		}
		companies = append(companies, fmt.Sprintf("(%d, '%s', '%s', %d, %t)", id, name, industries[id%3], id*10, id == 7))
	}
	stages := []string{"won", "lost", "open", "negotiation"}
	owners := []string{"'alice'", "'bob'", "'O''Brien'", "'test user'"}
	start := time.Date(2023, 11, 1, 0, 0, 0, 0, time.UTC)
	for id := 1; id <= 120; id++ {
		stage := stages[id%4]
		owner := owners[id%4]
		if id%11 == 0 {
			owner = "NULL"
		}
		closeDate := timestamp(start.Add(time.Duration(id*2)*24*time.Hour + time.Duration(id*7%24)*time.Hour))
		if id%13 == 0 {
			closeDate = "NULL"
		}
		amount := fmt.Sprintf("%d.50", id*37%1000)
		deals = append(deals, fmt.Sprintf("(%d, %d, '%s', %s, %s, %t, %t, %s)",
			id, id%7+1, stage, owner, amount, stage == "won", stage == "won" || stage == "lost", closeDate))
	}
	return companies, deals
}

func postgresEngine(t *testing.T) *engine {
	t.Helper()
	ctx := context.Background()
	schema := randomName("sem_")
	companies, deals := crmRows(func(t time.Time) string { return "'" + t.Format(time.RFC3339) + "'" })
	conn, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatalf("connect to Postgres: %v", err)
	}
	defer conn.Close(ctx)
	setup := fmt.Sprintf(`CREATE SCHEMA %[1]s;
CREATE TABLE %[1]s.companies (id int PRIMARY KEY, name text, industry text, employees int, deleted boolean);
CREATE TABLE %[1]s.hubspot_deals (id int PRIMARY KEY, company_id int, stage text, owner text, amount numeric(10,2),
  is_won boolean, is_closed boolean, close_date timestamptz);
INSERT INTO %[1]s.companies VALUES %[2]s;
INSERT INTO %[1]s.hubspot_deals VALUES %[3]s;`, schema, strings.Join(companies, ", "), strings.Join(deals, ", "))
	if _, err := conn.Exec(ctx, setup); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dbtest.AdminURL())
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	return &engine{dialect: connectors.DialectPostgres, schema: schema, querier: open(t, "postgres", map[string]any{
		"host": "127.0.0.1", "port": 5432, "database": "postgres", "username": "postgres", "sslmode": "disable"})}
}

func mysqlEngine(t *testing.T) *engine {
	t.Helper()
	schema := randomName("sem_")
	companies, deals := crmRows(func(t time.Time) string { return "'" + t.Format("2006-01-02 15:04:05") + "'" })
	dsn := "root@tcp(127.0.0.1:3306)/?multiStatements=true&time_zone=%27%2B00%3A00%27"
	if d := os.Getenv("SLUICE_TEST_MYSQL_DSN"); d != "" {
		dsn = d
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	setup := fmt.Sprintf(`CREATE DATABASE %[1]s;
CREATE TABLE %[1]s.companies (id int PRIMARY KEY, name text, industry text, employees int, deleted boolean);
CREATE TABLE %[1]s.hubspot_deals (id int PRIMARY KEY, company_id int, stage text, owner text, amount decimal(10,2),
  is_won boolean, is_closed boolean, close_date datetime(3));
INSERT INTO %[1]s.companies VALUES %[2]s;
INSERT INTO %[1]s.hubspot_deals VALUES %[3]s;`, schema, strings.Join(companies, ", "), strings.Join(deals, ", "))
	if _, err := db.Exec(setup); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("mysql", dsn); err == nil {
			_, _ = db.Exec("DROP DATABASE " + schema)
			db.Close()
		}
	})
	return &engine{dialect: connectors.DialectMySQL, schema: schema, querier: open(t, "mysql", map[string]any{
		"host": "127.0.0.1", "port": 3306, "database": schema, "username": "root",
		"password": os.Getenv("SLUICE_TEST_MYSQL_PASSWORD"), "tls": "false"})}
}

func open(t *testing.T, typ string, values map[string]any) connectors.Querier {
	t.Helper()
	netguard.SetAllowPrivate(true)
	spec, _ := connectors.Lookup(typ)
	q, closeFn, err := connectors.Open[connectors.Querier](context.Background(), typ, connectors.NewCredentials(spec, values))
	if err != nil {
		t.Fatalf("open %s: %v", typ, err)
	}
	t.Cleanup(func() { _ = closeFn(context.Background()) })
	return q
}

// run executes sql and returns its rows in a comparable text form.
func (e *engine) run(t *testing.T, sql string) []string {
	t.Helper()
	rs, err := e.querier.Query(context.Background(), sql, connectors.QueryOptions{MaxRows: 10_000, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("%s: %v\n%s", e.dialect, err, sql)
	}
	out := make([]string, len(rs.Rows))
	for i, row := range rs.Rows {
		cells := make([]string, len(row))
		for j, v := range row {
			cells[j] = comparable(v)
		}
		out[i] = strings.Join(cells, " | ")
	}
	return out
}

// comparable writes a value so that the same datum read two ways (a decimal
// or a float, a timestamp or a date-time string) compares equal.
func comparable(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format("2006-01-02 15:04:05")
	case connectors.Date:
		return string(x) + " 00:00:00"
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	s := fmt.Sprint(v)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.FormatFloat(math.Round(f*1e6)/1e6, 'f', -1, 64)
	}
	for _, layout := range []string{"2006-01-02T15:04:05.000", "2006-01-02 15:04:05", "2006-01-02"} {
		if ts, err := time.Parse(layout, s); err == nil {
			return ts.Format("2006-01-02 15:04:05")
		}
	}
	return s
}

func sorted(rows []string) []string {
	out := append([]string(nil), rows...)
	sort.Strings(out)
	return out
}
