package snowflake

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/connectors"
)

var readCols = []connectors.Column{
	{Name: "ID", SourceType: "NUMBER(38,0)", Type: connectors.Scalar(connectors.KindInt)},
	{Name: `Odd "Name"`, SourceType: "VARCHAR(10)", Type: connectors.Scalar(connectors.KindString)},
	{Name: "UPDATED_AT", SourceType: "TIMESTAMP_LTZ(9)", Type: connectors.Scalar(connectors.KindTimestampTZ)},
}

func TestReadSQL(t *testing.T) {
	table := connectors.TableRef{Schema: "SALES", Name: "order lines"}
	q, args, err := readSQL(connectors.ReadRequest{Table: table, Columns: readCols})
	if err != nil || args != nil {
		t.Fatalf("full read: %v %v", err, args)
	}
	if want := `SELECT "ID", "Odd ""Name""", "UPDATED_AT" FROM "SALES"."order lines"`; q != want {
		t.Errorf("full read SQL\n got %s\nwant %s", q, want)
	}
	// The cursor as it comes back from workflow history: RFC 3339 text.
	q, args, err = readSQL(connectors.ReadRequest{Table: table, Columns: readCols, CursorField: "UPDATED_AT",
		CursorAfter: "2024-01-02T03:04:05.123456789+01:00"})
	if err != nil {
		t.Fatalf("incremental read: %v", err)
	}
	want := `SELECT "ID", "Odd ""Name""", "UPDATED_AT" FROM "SALES"."order lines"` +
		` WHERE "UPDATED_AT" > TO_TIMESTAMP_LTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM')`
	if q != want {
		t.Errorf("incremental read SQL\n got %s\nwant %s", q, want)
	}
	if len(args) != 1 || args[0] != "2024-01-02 02:04:05.123456789 +00:00" {
		t.Errorf("cursor argument = %v", args)
	}
	// An ordered read resumed after a two-column key.
	q, args, err = readSQL(connectors.ReadRequest{Table: table, Columns: readCols, OrderBy: []string{"ID", `Odd "Name"`},
		ResumeAfter: []any{float64(7), "x"}})
	if err != nil {
		t.Fatal(err)
	}
	want = `SELECT "ID", "Odd ""Name""", "UPDATED_AT" FROM "SALES"."order lines"` +
		` WHERE (("ID" > CAST(? AS NUMBER(38,0))) OR ("ID" = CAST(? AS NUMBER(38,0)) AND "Odd ""Name""" > ?)) ORDER BY "ID", "Odd ""Name"""`
	if q != want {
		t.Errorf("resumed read SQL\n got %s\nwant %s", q, want)
	}
	if len(args) != 3 || args[0] != "7" || args[1] != "7" || args[2] != "x" {
		t.Errorf("resume arguments = %v", args)
	}
	for _, bad := range []connectors.ReadRequest{{CursorField: "MISSING", CursorAfter: 1}, {OrderBy: []string{"MISSING"}},
		{OrderBy: []string{"ID"}, ResumeAfter: []any{1, 2}}} {
		bad.Table, bad.Columns = table, readCols
		if _, _, err := readSQL(bad); err == nil {
			t.Errorf("%+v was accepted", bad)
		}
	}
}

func TestCursorArg(t *testing.T) {
	var n any
	_ = json.Unmarshal([]byte("12345"), &n) // float64, as after a JSON round trip
	cases := []struct {
		col       connectors.Column
		v         any
		expr, arg string
	}{
		{readCols[0], n, "CAST(? AS NUMBER(38,0))", "12345"},
		{connectors.Column{Type: connectors.DecimalType(12, 3)}, connectors.Decimal("-0.001"), "CAST(? AS NUMBER(12,3))", "-0.001"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindDate)}, connectors.Date("2024-02-29"), "TO_DATE(?, 'YYYY-MM-DD')", "2024-02-29"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindTime)}, connectors.TimeOfDay("13:14:15.5"), "TO_TIME(?, 'HH24:MI:SS.FF9')", "13:14:15.500000000"},
		{connectors.Column{SourceType: "TIMESTAMP_NTZ(9)", Type: connectors.Scalar(connectors.KindTimestamp)},
			time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "TO_TIMESTAMP_NTZ(?, 'YYYY-MM-DD HH24:MI:SS.FF9')", "2024-01-02 03:04:05.000000000"},
		{connectors.Column{SourceType: "TIMESTAMP_TZ(9)", Type: connectors.Scalar(connectors.KindTimestampTZ)},
			time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "TO_TIMESTAMP_TZ(?, 'YYYY-MM-DD HH24:MI:SS.FF9 TZH:TZM')", "2024-01-02 03:04:05.000000000 +00:00"},
		{readCols[1], "b", "?", "b"},
	}
	for _, c := range cases {
		expr, arg, err := cursorArg(c.col, c.v)
		if err != nil || expr != c.expr || arg != c.arg {
			t.Errorf("cursorArg(%s, %v) = %q, %q, %v; want %q, %q", c.col.Type, c.v, expr, arg, err, c.expr, c.arg)
		}
	}
	for _, bad := range []struct {
		col connectors.Column
		v   any
	}{
		{readCols[0], "1) OR (1=1"},
		{connectors.Column{Type: connectors.Scalar(connectors.KindJSON)}, "{}"},
		{readCols[2], "yesterday"},
	} {
		if _, _, err := cursorArg(bad.col, bad.v); err == nil {
			t.Errorf("cursorArg(%s, %v) was accepted", bad.col.Type, bad.v)
		}
	}
}

func TestDiscoverySQL(t *testing.T) {
	if got := primaryKeySQL(connectors.TableRef{Schema: "PUBLIC", Name: `we"ird`}); got != `SHOW PRIMARY KEYS IN TABLE "PUBLIC"."we""ird"` {
		t.Errorf("primary key SQL = %s", got)
	}
	for _, q := range []string{tablesSQL, columnsSQL} {
		if !strings.Contains(q, "information_schema") || strings.Contains(q, "%") {
			t.Errorf("discovery SQL is not a fixed statement on INFORMATION_SCHEMA: %s", q)
		}
	}
	if !strings.Contains(columnsSQL, "table_schema = ? AND table_name = ?") {
		t.Error("columns SQL does not bind the table name")
	}
}

func TestStatementTimeoutSQL(t *testing.T) {
	cases := map[time.Duration]string{
		30 * time.Second:        "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 30",
		1500 * time.Millisecond: "ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = 2",
		0:                       "ALTER SESSION UNSET STATEMENT_TIMEOUT_IN_SECONDS",
	}
	for timeout, want := range cases {
		if got := statementTimeoutSQL(timeout); got != want {
			t.Errorf("statementTimeoutSQL(%s) = %s, want %s", timeout, got, want)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	kinds := []struct {
		err  sf.SnowflakeError
		want string
	}{
		{sf.SnowflakeError{Number: 1003, SQLState: "42000", Message: "SQL compilation error: syntax error line 1 at position 0 unexpected 'SELEC'."}, connectors.QueryErrSyntax},
		{sf.SnowflakeError{Number: 2003, SQLState: "42S02", Message: "Object 'X' does not exist or not authorized."}, connectors.QueryErrSyntax},
		{sf.SnowflakeError{Number: 3001, SQLState: "42501", Message: "Insufficient privileges to operate on table 'X'"}, connectors.QueryErrPermission},
		{sf.SnowflakeError{Number: 630, SQLState: "57014", Message: "Statement reached its statement or warehouse timeout of 1 second(s) and was canceled."}, connectors.QueryErrTimeout},
		{sf.SnowflakeError{Number: 261000, Message: "failed to post query"}, connectors.QueryErrConnection},
		{sf.SnowflakeError{Number: 606, SQLState: "57P03", Message: "No active warehouse selected in the current session."}, connectors.QueryErrOther},
	}
	for _, k := range kinds {
		if got := errorKind(&k.err); got != k.want {
			t.Errorf("error %d (%s): kind %s, want %s", k.err.Number, k.err.SQLState, got, k.want)
		}
	}
	steps := map[int]string{390100: connectors.StepAuthenticate, 390144: connectors.StepAuthenticate,
		390189: connectors.StepPermissions, 390201: connectors.StepPermissions, 260008: connectors.StepConnect}
	for number, want := range steps {
		if got := loginStep(&sf.SnowflakeError{Number: number}); got != want {
			t.Errorf("login error %d: step %s, want %s", number, got, want)
		}
	}
}
