package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
)

// TestSyncFailsClearlyOnValuesTheLakeCannotHold: Postgres numerics may be
// NaN or infinite and timestamps may lie outside DuckDB's range; a lake
// decimal or timestamp cannot hold them. The table fails at once (one
// attempt: retrying cannot change the data) with a message naming the
// column and the value, and the other tables of the run go on.
func TestSyncFailsClearlyOnValuesTheLakeCannotHold(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	schema := testenv.PostgresSchema(t, `
		CREATE TABLE nan_amounts (id bigint PRIMARY KEY, amount numeric(12,2));
		INSERT INTO nan_amounts SELECT g, g * 1.5 FROM generate_series(1, 500) g;
		INSERT INTO nan_amounts VALUES (501, 'NaN');
		CREATE TABLE wide_inf (id bigint PRIMARY KEY, ratio numeric);
		INSERT INTO wide_inf VALUES (1, 1.25), (2, '-Infinity');
		CREATE TABLE far_dates (id bigint PRIMARY KEY, at timestamptz);
		INSERT INTO far_dates VALUES (1, now()), (2, 'infinity');
		CREATE TABLE far_days (id bigint PRIMARY KEY, day date);
		INSERT INTO far_days VALUES (1, '2024-01-01'), (2, '-infinity');
		CREATE TABLE far_plain (id bigint PRIMARY KEY, at timestamp);
		INSERT INTO far_plain VALUES (1, '2024-01-01'), (2, 'infinity');
		CREATE TABLE huge (id bigint PRIMARY KEY, n numeric(60,10));
		INSERT INTO huge VALUES (1, 1.5), (2, 10::numeric ^ 45);
		CREATE TABLE nan_list (id bigint PRIMARY KEY, xs numeric(10,2)[]);
		INSERT INTO nan_list VALUES (1, '{1.5,2}'), (2, '{1,NaN}');
		CREATE TABLE midnight (id bigint PRIMARY KEY, t time, xs float8[]);
		INSERT INTO midnight VALUES (1, '24:00:00', '{1,NaN,Infinity}');
		CREATE TABLE fine (id bigint PRIMARY KEY, v text);
		INSERT INTO fine VALUES (1, 'a'), (2, 'b');`)
	f := syncFixture{env: env, token: token, id: createPostgres(t, env, token, "pw"), schema: schema}
	if res := f.configure(t, map[string]any{"dest_schema": "VALS", "schedule": "daily", "tables": []any{schema + ".*"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil)
	if run["status"] != "partially_succeeded" {
		t.Fatalf("run: %v", run)
	}
	want := map[string][]string{
		"nan_amounts": {"column amount", "NaN"},
		"wide_inf":    {"column ratio", "-Infinity"},
		"far_dates":   {"column at", "infinity"},
		"far_plain":   {"column at", "infinity"},
		"nan_list":    {"column xs", "NaN"}, // found by DuckDB's cast
		"huge":        {"column n", "1000000000000000000000000000000000000000000000"},
	}
	for _, tb := range run["tables"].([]any) {
		table := tb.(map[string]any)
		name := table["name"].(string)[len(schema)+1:]
		mentions, bad := want[name]
		switch {
		case !bad && table["status"] != "succeeded":
			t.Errorf("%s: %v, want succeeded", name, table)
		case bad && (table["status"] != "failed" || table["attempts"].(float64) != 1):
			t.Errorf("%s: %v after %v attempt(s), want failed after one", name, table["status"], table["attempts"])
		case bad:
			if strings.Contains(table["error"].(string), "/") {
				t.Errorf("%s: error %q shows a path", name, table["error"])
			}
			for _, m := range mentions {
				if !strings.Contains(strings.ToLower(table["error"].(string)), strings.ToLower(m)) {
					t.Errorf("%s: error %q does not mention %q", name, table["error"], m)
				}
			}
		}
	}
	// DuckDB's dates, unlike its timestamps, have the infinities.
	row := f.lakeRow(t, `SELECT count(*) AS n, max(CAST(day AS VARCHAR)) FILTER (WHERE id = 2) AS far FROM VALS.far_days`)
	if row["n"] != 2.0 || row["far"] != "-infinity" {
		t.Errorf("far_days in the lake: %v, want both rows and -infinity", row)
	}
}

// TestSyncOfMariaDBZeroDates: MariaDB accepts '0000-00-00' dates unless
// NO_ZERO_DATE is set; they are no date at all, and reach the lake as NULL
// (as MySQL's own connectors read them with zeroDateTimeBehavior=convertToNull),
// never as a made-up date such as 0001-01-01.
func TestSyncOfMariaDBZeroDates(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	admin := mariaAdmin(t)
	name := "zd_" + randomHex(t)
	for _, q := range []string{
		"CREATE DATABASE " + name,
		"SET SESSION sql_mode = ''",
		"CREATE TABLE " + name + ".events (id int PRIMARY KEY, happened datetime, day date, ts timestamp NULL)",
		"INSERT INTO " + name + ".events VALUES (1, '2024-05-06 07:08:09', '2024-05-06', '2024-05-06 07:08:09'), (2, '0000-00-00 00:00:00', '0000-00-00', '0000-00-00 00:00:00'), (3, NULL, NULL, NULL)",
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	creds := testenv.MySQLCredentials()
	creds["database"] = name
	res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "mysql", "name": "Maria", "credentials": creds})
	if res.Status != http.StatusCreated {
		t.Fatalf("create mysql: %d %s", res.Status, res.Body)
	}
	f := syncFixture{env: env, token: token, id: res.JSON(t)["integration"].(map[string]any)["id"].(string)}
	if res := f.configure(t, map[string]any{"dest_schema": "ZD", "schedule": "daily", "tables": []any{name + ".events"}}); res.Status != http.StatusOK {
		t.Fatalf("configure: %d %s", res.Status, res.Body)
	}
	if run := f.runAndWait(t, "/v1/api/integrations/"+f.id+"/sync/run", nil); run["status"] != "succeeded" {
		t.Fatalf("run: %v", run)
	}
	row := f.lakeRow(t, `SELECT count(happened) AS happened, count(day) AS day, count(ts) AS ts, min(year(happened)) AS min_year FROM ZD.events`)
	if row["happened"] != 1.0 || row["day"] != 1.0 || row["ts"] != 1.0 || row["min_year"] != 2024.0 {
		t.Fatalf("zero dates in the lake: %v, want them NULL (one real date per column, year 2024)", row)
	}
}
