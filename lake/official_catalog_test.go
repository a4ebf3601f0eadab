package lake

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// officialCLIEnv names the official DuckDB CLI (with the ducklake extension
// linked in) that the conformance test reads the lake with.
const officialCLIEnv = "SLUICE_DUCKDB_CLI"

// officialCLI returns the official client's path, or skips the test saying
// why: the client cannot be downloaded here, it is built from source (see
// lake/README.md, "Conformance with the official client").
func officialCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv(officialCLIEnv)
	if cli == "" {
		t.Skipf("%s is not set: it names a DuckDB CLI with the official ducklake extension (lake/README.md says how to build one)", officialCLIEnv)
	}
	if _, err := os.Stat(cli); err != nil {
		t.Skipf("%s=%s: %v", officialCLIEnv, cli, err)
	}
	return cli
}

// officialLake is a copy of a sluice lake's catalog in a DuckDB-file catalog
// the official client created with its own DDL, its data path at sluice's
// files. The official postgres extension is not built here, so the client
// cannot attach sluice's Postgres catalog itself; the copy is row for row.
type officialLake struct {
	t       *testing.T
	ctx     context.Context
	cli     string
	dir     string
	catalog string
	data    string
}

// runCLI runs a script in a fresh official client and fails the test on an
// error, showing the client's output.
func (o *officialLake) runCLI(script string) string {
	o.t.Helper()
	ctx, cancel := context.WithTimeout(o.ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.cli, "-batch", "-bail", "-init", os.DevNull)
	cmd.Stdin = strings.NewReader(script)
	out, err := cmd.CombinedOutput()
	if err != nil {
		o.t.Fatalf("official client: %v\n%s\nscript:\n%s", err, out, firstLines(script, 40))
	}
	return string(out)
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}

// newOfficialLake lets the official client create an empty catalog, then
// replaces every ducklake_* table's rows with sluice's (sluice_commits, its
// own bookkeeping, is not copied).
func newOfficialLake(t *testing.T, f *fixture, cli string) *officialLake {
	t.Helper()
	o := &officialLake{t: t, ctx: f.ctx, cli: cli, dir: t.TempDir(), data: f.lake.DataPath() + "/"}
	o.catalog = filepath.Join(o.dir, "official.ducklake")
	o.runCLI(fmt.Sprintf("ATTACH %s AS o (DATA_PATH %s);\nDETACH o;\n", quoteString("ducklake:"+o.catalog), quoteString(o.data)))

	rows, err := f.pool.Query(f.ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = $1 AND table_name LIKE 'ducklake\_%' ORDER BY table_name`, f.lake.CatalogSchema())
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	conn, err := f.pool.Acquire(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var script strings.Builder
	fmt.Fprintf(&script, "ATTACH %s AS c;\n", quoteString(o.catalog))
	for _, name := range tables {
		var csv bytes.Buffer
		copySQL := fmt.Sprintf("COPY %s.%s TO STDOUT WITH (FORMAT csv, HEADER)", quoteIdent(f.lake.CatalogSchema()), quoteIdent(name))
		if _, err := conn.Conn().PgConn().CopyTo(f.ctx, &csv, copySQL); err != nil {
			t.Fatalf("export %s: %v", name, err)
		}
		path := filepath.Join(o.dir, name+".csv")
		if err := os.WriteFile(path, csv.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		// Postgres writes NULL unquoted and an empty string as "".
		fmt.Fprintf(&script, "DELETE FROM c.%s;\n", quoteIdent(name))
		if strings.Count(csv.String(), "\n") > 1 {
			fmt.Fprintf(&script, "INSERT INTO c.%s SELECT * FROM read_csv(%s, header = true, all_varchar = true, allow_quoted_nulls = false, auto_detect = true);\n",
				quoteIdent(name), quoteString(path))
		}
	}
	o.runCLI(script.String())
	return o
}

// query is one read the official client answers: its SELECT and the file
// its rows (all VARCHAR columns c0, c1, …) are written to as JSON lines.
type officialQuery struct {
	sql  string
	out  string
	rows [][]*string
}

// batch runs many reads in one client process (one ATTACH) and fills
// their rows.
func (o *officialLake) batch(queries []*officialQuery) {
	o.t.Helper()
	var script strings.Builder
	// One thread: the checks are small, and on a busy machine more threads
	// only wait on each other.
	fmt.Fprintf(&script, "SET threads = 1;\nATTACH %s AS lake (DATA_PATH %s, READ_ONLY);\n", quoteString("ducklake:"+o.catalog), quoteString(o.data))
	for i, q := range queries {
		q.out = filepath.Join(o.dir, fmt.Sprintf("q%d.json", i))
		fmt.Fprintf(&script, "COPY (%s) TO %s (FORMAT json);\n", q.sql, quoteString(q.out))
	}
	o.runCLI(script.String())
	for _, q := range queries {
		q.rows = readJSONRows(o.t, q.out)
	}
}

// readJSONRows reads COPY … (FORMAT json) output: one object per row with
// string or null values c0, c1, ….
func readJSONRows(t *testing.T, path string) [][]*string {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var out [][]*string
	sc := bufio.NewScanner(file)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var obj map[string]*string
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("%s: %v: %s", path, err, sc.Text())
		}
		row := make([]*string, len(obj))
		for i := range row {
			row[i] = obj[fmt.Sprintf("c%d", i)]
		}
		out = append(out, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
