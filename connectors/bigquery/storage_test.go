package bigquery

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bq "cloud.google.com/go/bigquery"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// The tests in this file run the connector against two fakes of documented
// protocols: the REST fake (fake_test.go) and the Storage Read API fake
// (fakestorage_test.go), not against Google's servers.

var ordersRef = connectors.TableRef{Schema: "sales", Name: "orders"}

// collect keeps every row a read delivers, and the chunks it reports.
type collect struct {
	rows   [][]any
	chunks [][]any
	fail   error
}

func (s *collect) WriteBatch(_ context.Context, rows [][]any) error {
	if s.fail != nil {
		return s.fail
	}
	s.rows = append(s.rows, rows...)
	return nil
}

func (s *collect) ChunkDone(_ context.Context, lastKey []any) error {
	s.chunks = append(s.chunks, lastKey)
	return nil
}

// storageFakes starts both fakes; a connector from connectStorage reads
// tables of at least minRows rows through the Storage Read API.
func storageFakes(t *testing.T) (*fakeBigQuery, *fakeStorage) {
	f := salesFake(t)
	return f, newFakeStorage(t, f)
}

func connectStorage(t *testing.T, f *fakeBigQuery, s *fakeStorage, minRows int64) *Connector {
	trusted, _ := testKeys(t)
	return connectWith(t, f, trusted, settings{storageEndpoint: s.addr, storageOptions: s.options(), storageMinRows: minRows})
}

// restRead registers the query a REST read of cols of orders runs, which
// answers rows (in the table's column order) projected on cols.
func restRead(f *fakeBigQuery, cols []string, suffix string, rows [][]any) {
	names := make([]string, len(cols))
	var fields []map[string]any
	var idx []int
	for i, c := range cols {
		names[i] = quoteIdent(c)
		j := slices.IndexFunc(ordersFields, func(f map[string]any) bool { return f["name"] == c })
		fields, idx = append(fields, ordersFields[j]), append(idx, j)
	}
	_, projected := project(ordersFields, rows, idx)
	f.queries["SELECT "+strings.Join(names, ", ")+" FROM `sluice-test-1`.`sales`.`orders`"+suffix] =
		fakeQuery{statementType: "SELECT", fields: fields, rows: projected}
}

func sortByID(rows [][]any, idCol int) {
	slices.SortFunc(rows, func(a, b []any) int { return int(a[idCol].(int64) - b[idCol].(int64)) })
}

// TestStorageReadsALargeTable: an unordered read of a table above the
// threshold opens a session on the table (no query job), selecting the
// columns read in the request's order although the session answers them
// in the table's, and hands the sink the very values the REST path does,
// for every column type of sales.orders.
func TestStorageReadsALargeTable(t *testing.T) {
	f, s := storageFakes(t)
	c := connectStorage(t, f, s, 3)
	cols, err := c.Columns(context.Background(), ordersRef)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(cols)
	sink := &collect{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: cols, BatchSize: 2}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.runs) != 0 || len(s.sessions) != 1 {
		t.Fatalf("query jobs %v, sessions %d; want no job and one session", f.runs, len(s.sessions))
	}
	got := s.sessions[0]
	if got.GetReadSession().GetTable() != "projects/sluice-test-1/datasets/sales/tables/orders" || got.GetMaxStreamCount() != maxStorageStreams ||
		!slices.Equal(got.GetReadSession().GetReadOptions().GetSelectedFields(), columnNames(cols)) || got.GetReadSession().GetReadOptions().GetRowRestriction() != "" {
		t.Fatalf("CreateReadSession = %v", got)
	}
	if !slices.Equal(s.reads, []string{"0@0", "1@0"}) && !slices.Equal(s.reads, []string{"1@0", "0@0"}) {
		t.Errorf("ReadRows calls %v, want both streams from offset 0", s.reads)
	}
	if stats.Rows != 3 || len(sink.rows) != 3 {
		t.Fatalf("read %d rows (stats %d), want 3", len(sink.rows), stats.Rows)
	}

	// The same read through the REST API, as a connector below the threshold does it.
	restRead(f, columnNames(cols), "", ordersRows)
	rest := &collect{}
	trusted, _ := testKeys(t)
	if _, err := connectFake(t, f, trusted).Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: cols}, rest); err != nil {
		t.Fatal(err)
	}
	idCol := len(cols) - 1
	sortByID(sink.rows, idCol)
	for i := range rest.rows {
		for j, col := range cols {
			if !reflect.DeepEqual(sink.rows[i][j], rest.rows[i][j]) {
				t.Errorf("row %d %s: Storage Read API gave %#v, REST gave %#v", i+1, col.Name, sink.rows[i][j], rest.rows[i][j])
			}
		}
	}
	if sink.rows[0][idCol] != int64(1) || sink.rows[0][len(cols)-3] != connectors.Decimal("123456789.123") {
		t.Errorf("row 1 = %v", sink.rows[0])
	}
}

// TestStorageReadPastTheCursor: an incremental unordered read sends the
// cursor as a row restriction with a typed literal, and keeps the greatest
// cursor value seen.
func TestStorageReadPastTheCursor(t *testing.T) {
	f, s := storageFakes(t)
	restriction := "`at` > CAST('2023-12-31 00:00:00+00:00' AS TIMESTAMP)"
	s.restrictions[restriction] = func(row []any, fields []map[string]any) bool {
		at := row[slices.IndexFunc(fields, func(f map[string]any) bool { return f["name"] == "at" })]
		us, _ := strconv.ParseInt(fmt.Sprint(at), 10, 64)
		return at != nil && us > time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC).UnixMicro()
	}
	c := connectStorage(t, f, s, 3)
	sink := &collect{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols,
		CursorField: "at", CursorAfter: "2023-12-31T00:00:00Z"}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if r := s.sessions[0].GetReadSession().GetReadOptions().GetRowRestriction(); r != restriction {
		t.Fatalf("row restriction %q, want %q", r, restriction)
	}
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if len(sink.rows) != 1 || sink.rows[0][0] != int64(1) || stats.MaxCursor != want {
		t.Fatalf("rows %v, max cursor %v; want only row 1 and %s", sink.rows, stats.MaxCursor, want)
	}
}

// TestStorageOrderedReadResumes: an ordered read runs its query, then
// reads the query's result table in one stream (BigQuery keeps an ORDER BY
// only within one), reporting chunks as the REST path does; no result page
// is fetched through jobs.getQueryResults.
func TestStorageOrderedReadResumes(t *testing.T) {
	f, s := storageFakes(t)
	sql := "SELECT `id`, `at` FROM `sluice-test-1`.`sales`.`orders` WHERE ((`id` > @after0)) ORDER BY `id`"
	var rows [][]any
	for i := 2; i <= 5; i++ {
		rows = append(rows, []any{strconv.Itoa(i), strconv.Itoa(1_000_000 * i)})
	}
	f.queries[sql] = fakeQuery{statementType: "SELECT", fields: []map[string]any{field("id", "INTEGER"), field("at", "TIMESTAMP")}, rows: rows,
		params: []map[string]any{{"name": "after0", "parameterType": map[string]any{"type": "INT64"}, "parameterValue": map[string]any{"value": "1"}}}}
	s.streams = 4 // the fake would split the result if asked for more than one stream
	c := connectStorage(t, f, s, 3)
	sink := &collect{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols,
		OrderBy: []string{"id"}, ResumeAfter: []any{float64(1)}, ChunkRows: 2, BatchSize: 10}, sink)
	if err != nil {
		t.Fatal(err)
	}
	f.onlyJob(t)
	var ids []int64
	for _, r := range sink.rows {
		ids = append(ids, r[0].(int64))
	}
	if stats.Rows != 4 || !slices.Equal(ids, []int64{2, 3, 4, 5}) {
		t.Fatalf("read ids %v (stats %d), want 2..5 in order", ids, stats.Rows)
	}
	if len(sink.chunks) != 2 || sink.chunks[0][0] != int64(3) || sink.chunks[1][0] != int64(5) {
		t.Fatalf("chunks %v, want ending at 3 and 5", sink.chunks)
	}
	session := s.sessions[0]
	if session.GetMaxStreamCount() != 1 || !strings.HasPrefix(session.GetReadSession().GetTable(), "projects/sluice-test-1/datasets/"+anonDataset+"/tables/") {
		t.Fatalf("CreateReadSession = %v; want the job's result table in one stream", session)
	}
	if !slices.Equal(f.pages, []string{"0"}) {
		t.Errorf("getQueryResults maxResults = %v, want only the wait", f.pages)
	}
}

// TestStorageStreamBreaks: a stream that breaks is reopened at the offset
// of the rows already delivered; no row arrives twice.
func TestStorageStreamBreaks(t *testing.T) {
	f, s := storageFakes(t)
	s.batchRows, s.breakAfter, s.streams = 1, 1, 1
	c := connectStorage(t, f, s, 3)
	sink := &collect{}
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols}, sink); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.reads, []string{"0@0", "0@1"}) {
		t.Fatalf("ReadRows calls %v, want a retry at offset 1", s.reads)
	}
	if len(sink.rows) != 3 || sink.rows[0][0] != int64(1) || sink.rows[1][0] != int64(2) || sink.rows[2][0] != int64(3) {
		t.Fatalf("rows %v, want 1, 2, 3 once each", sink.rows)
	}
}

// TestStorageSessionDenied: credentials without bigquery.readsessions.create
// read through a query and the REST API instead.
func TestStorageSessionDenied(t *testing.T) {
	f, s := storageFakes(t)
	s.denySessions = true
	restRead(f, []string{"id", "at"}, "", ordersRows[:2])
	c := connectStorage(t, f, s, 3)
	sink := &collect{}
	stats, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols}, sink)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.sessions) != 1 || len(f.runs) != 1 || stats.Rows != 2 || len(sink.rows) != 2 {
		t.Fatalf("sessions %d, jobs %v, rows %d (stats %d); want a refused session, then a query", len(s.sessions), f.runs, len(sink.rows), stats.Rows)
	}
}

// TestStorageSinkFailure: a sink that fails ends the read with its error,
// and the streams stop.
func TestStorageSinkFailure(t *testing.T) {
	f, s := storageFakes(t)
	s.batchRows = 1
	c := connectStorage(t, f, s, 3)
	boom := errors.New("disk full")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.Read(ctx, connectors.ReadRequest{Table: ordersRef, Columns: readCols, BatchSize: 1}, &collect{fail: boom})
	if !errors.Is(err, boom) {
		t.Fatalf("read with a failing sink: %v, want its error", err)
	}
}

// TestSmallTablesReadThroughREST: below the thresholds no session opens.
func TestSmallTablesReadThroughREST(t *testing.T) {
	f, s := storageFakes(t)
	restRead(f, []string{"id", "at"}, "", ordersRows)
	c := connectStorage(t, f, s, 0) // the defaults: orders has 3 rows in 1 KiB
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols}, &collect{}); err != nil {
		t.Fatal(err)
	}
	if len(s.sessions) != 0 || len(f.runs) != 1 {
		t.Fatalf("sessions %d, jobs %v; want the REST path", len(s.sessions), f.runs)
	}
}

func TestCursorRestriction(t *testing.T) {
	cases := []struct {
		col   connectors.Column
		value any
		want  string
	}{
		{connectors.Column{Name: "id", Type: connectors.Scalar(connectors.KindInt)}, 41.0, "`id` > CAST('41' AS INT64)"},
		{connectors.Column{Name: "name", Type: connectors.Scalar(connectors.KindString)}, `O'Brien\n`, "`name` > CAST('O\\'Brien\\\\n' AS STRING)"},
		{connectors.Column{Name: "d", Type: connectors.Scalar(connectors.KindDate)}, connectors.Date("2024-02-29"), "`d` > CAST('2024-02-29' AS DATE)"},
	}
	for _, c := range cases {
		got, err := cursorRestriction(c.col, c.value)
		if err != nil || got != c.want {
			t.Errorf("cursorRestriction(%s, %v) = %s, %v; want %s", c.col.Name, c.value, got, err, c.want)
		}
	}
	if _, err := cursorRestriction(connectors.Column{Name: "id", Type: connectors.Scalar(connectors.KindInt)}, "1 OR TRUE"); err == nil {
		t.Error("a non-integer cursor for an INT64 column was accepted")
	}
}

// TestStorageRefusedByNetguard: a Storage Read API address the network
// policy refuses fails the read at once with the refusal, before any dial.
func TestStorageRefusedByNetguard(t *testing.T) {
	f, s := storageFakes(t)
	c := connectStorage(t, f, s, 3)
	netguard.SetAllowPrivate(false) // connectWith restores it to false as well
	md := &bq.TableMetadata{Schema: bq.Schema{{Name: "id", Type: bq.IntegerFieldType}}}
	w := newRowWriter(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols[:1], BatchSize: 10}, &collect{}, &connectors.ReadStats{})
	err := c.readTable(context.Background(), connectors.ReadRequest{Table: ordersRef, Columns: readCols[:1]}, md.Schema, w)
	var qe *connectors.QueryError
	if !errors.As(err, &qe) || qe.Kind != connectors.QueryErrConnection || !strings.Contains(qe.Message, "sluice does not connect there") {
		t.Fatalf("read refused by the network guard: %v, want a connection error naming the refusal", err)
	}
	if len(s.sessions) != 0 {
		t.Fatal("the fake was reached")
	}
}
