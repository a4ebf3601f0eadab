package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
)

// hostile is a value stored in a synced column that, written into the COPY
// statement as '...' with only its quotes doubled, ends the literal early
// on a server with standard_conforming_strings off (\' is then a quote) and
// runs CREATE TABLE on the source; -- comments out the rest of the COPY.
const hostile = `x\')) TO STDOUT; CREATE TABLE pwned(); --`

// TestReadValuesNeverBecomeSQL reads a table whose key and cursor columns hold
// hostile values, in chunks (so each is a resume key) and past each as a
// cursor, from a database with standard_conforming_strings off. Nothing may
// be created and every row must be copied.
func TestReadValuesNeverBecomeSQL(t *testing.T) {
	values := []string{"a", hostile, `y\\'); CREATE TABLE pwned(); --`, "z$1'$2"}
	db := scratchDatabase(t, `
CREATE TABLE t (k text PRIMARY KEY, n int);
INSERT INTO t SELECT v, o FROM unnest($$`+pgArray(values)+`$$::text[]) WITH ORDINALITY AS u(v, o)`)
	exec(t, "ALTER DATABASE "+db+" SET standard_conforming_strings = off")
	reader := openSource[connectors.Reader](t, db, "")
	cols, err := openSource[connectors.Discoverer](t, db, "").Columns(context.Background(), connectors.TableRef{Schema: "public", Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	read := func(req connectors.ReadRequest) [][]any {
		t.Helper()
		req.Table, req.Columns = connectors.TableRef{Schema: "public", Name: "t"}, cols
		var sink rowsSink
		if _, err := reader.Read(context.Background(), req, &sink); err != nil {
			t.Fatalf("read %+v: %v", req, err)
		}
		return sink.rows
	}
	if got := read(connectors.ReadRequest{OrderBy: []string{"k"}, ChunkRows: 1, BatchSize: 1}); len(got) != len(values) {
		t.Errorf("chunked read copied %d rows, want %d: %v", len(got), len(values), got)
	}
	for _, v := range values {
		read(connectors.ReadRequest{CursorField: "k", CursorAfter: v})
		read(connectors.ReadRequest{OrderBy: []string{"k"}, ResumeAfter: []any{v}})
	}
	conn, err := pgx.Connect(context.Background(), conformance.PostgresServer().PostgresURL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var pwned bool
	if err := conn.QueryRow(context.Background(), "SELECT to_regclass('public.pwned') IS NOT NULL").Scan(&pwned); err != nil {
		t.Fatal(err)
	}
	if pwned {
		t.Fatal("a value read from the source ran as SQL: table pwned was created")
	}
}

// TestReadValuesNeverBecomeSQLUnderSJIS reads from a database whose default
// client_encoding is SJIS, where a backslash byte can be the second byte of
// a character (ソ is 0x83 0x5C): had the value arrived in SJIS, doubling its
// backslashes would leave one to escape the quote that was meant to end the
// literal. The connector talks UTF-8 whatever the source's defaults say.
func TestReadValuesNeverBecomeSQLUnderSJIS(t *testing.T) {
	values := []string{"a", "ソ')) TO STDOUT; CREATE TABLE pwned(); --", "z"}
	db := scratchDatabase(t, `
CREATE TABLE t (k text PRIMARY KEY);
INSERT INTO t SELECT unnest($$`+pgArray(values)+`$$::text[])`)
	exec(t, "ALTER DATABASE "+db+" SET client_encoding = 'SJIS'")
	reader := openSource[connectors.Reader](t, db, "")
	cols, err := openSource[connectors.Discoverer](t, db, "").Columns(context.Background(), connectors.TableRef{Schema: "public", Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	var sink rowsSink
	req := connectors.ReadRequest{Table: connectors.TableRef{Schema: "public", Name: "t"}, Columns: cols, OrderBy: []string{"k"}, ChunkRows: 1, BatchSize: 1}
	if _, err := reader.Read(context.Background(), req, &sink); err != nil {
		t.Fatalf("read: %v", err)
	}
	got := map[any]bool{}
	for _, r := range sink.rows {
		got[r[0]] = true
	}
	if len(sink.rows) != len(values) || !got[values[1]] {
		t.Errorf("read %v, want %q", sink.rows, values)
	}
	conn, err := pgx.Connect(context.Background(), conformance.PostgresServer().PostgresURL(db))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var pwned bool
	if err := conn.QueryRow(context.Background(), "SELECT to_regclass('public.pwned') IS NOT NULL").Scan(&pwned); err != nil {
		t.Fatal(err)
	}
	if pwned {
		t.Fatal("a value read from the source ran as SQL: table pwned was created")
	}
}

// pgArray writes values as the text of a Postgres text[] (inside $$...$$).
func pgArray(values []string) string {
	out := "{"
	for i, v := range values {
		if i > 0 {
			out += ","
		}
		q := ""
		for _, r := range v {
			if r == '"' || r == '\\' {
				q += `\`
			}
			q += string(r)
		}
		out += `"` + q + `"`
	}
	return out + "}"
}
