package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// collectSink is a RowSink and ChunkSink that keeps every row.
type collectSink struct {
	rows            [][]any
	batches, chunks int
}

func (c *collectSink) WriteBatch(_ context.Context, rows [][]any) error {
	c.rows = append(c.rows, rows...)
	c.batches++
	return nil
}

func (c *collectSink) ChunkDone(context.Context, []any) error { c.chunks++; return nil }

// decodeTable is every type with a typed layout, with the values that do
// not fit one (NaN, infinities, more digits than int64) mixed in.
const decodeTable = `CREATE TABLE %s.mix (id int PRIMARY KEY, i2 smallint, i8 bigint, o oid, f4 real, f8 double precision,
	b boolean, t text, vc varchar(8), bp char(4), nm name, raw bytea, n numeric(12,2), n18 numeric(18,5), nu numeric,
	ts timestamp, tz timestamptz, d date, j jsonb, u uuid, arr int[], js json, n30 numeric(30,6), d2 date);
INSERT INTO %[1]s.mix VALUES
	(1, -32768, 9223372036854775807, 4294967295, 1.5, -0.1, true, 'héllo', 'v', 'ab', 'nm', '\x00ff', 1234567890.12, -1234567890123.45678, 1e30,
	 '2024-02-29 12:34:56.789', '1970-01-01 00:00:00.000001+00', '2024-02-29', '{"k": [1]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}',
	 '{"a":  1}', 123456789012.345678, '2000-03-01'),
	(2, 0, -1, 0, 'NaN', '-Infinity', false, '', '', '', '', '\x', -0.01, 0.00001, -0.5, 'infinity', '-infinity', 'infinity', 'null', NULL, '{}',
	 '[]', -123456789012345678901234.5, '4713-01-01 BC'),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'NaN', NULL, 'NaN', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '10000-12-31'),
	(4, 7, 42, 1, 0, 0, true, 'x', 'y', 'z', 'w', '\x01', 0, 99999999999.99999, 12.5, '0001-01-01', '2262-04-11 23:47:16.854775+00', '0001-01-01', '[]', NULL, NULL,
	 'null', -0.000001, '1969-12-31')`

// newTestSource creates a schema with setup (%s is the schema) and returns
// a connector to the local Postgres and the schema.
func newTestSource(t *testing.T, setup string) (*Connector, string) {
	t.Helper()
	netguard.SetAllowPrivate(true)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close(ctx) })
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	schema := "dec_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema+"; "+fmt.Sprintf(setup, schema)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") })
	c, err := New(connectors.NewCredentials(connectors.TypeSpec{}, map[string]any{"host": "127.0.0.1", "port": 5432,
		"database": "postgres", "username": "postgres", "sslmode": "disable"}), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(ctx) })
	return c, schema
}

// TestTypedDecodingMatchesPgx reads a table of every type through the
// typed decoders and through pgx's codecs alone and compares the values.
func TestTypedDecodingMatchesPgx(t *testing.T) {
	ctx := context.Background()
	c, schema := newTestSource(t, decodeTable)
	ref := connectors.TableRef{Schema: schema, Name: "mix"}
	cols, err := c.Columns(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	req := connectors.ReadRequest{Table: ref, Columns: cols, OrderBy: []string{"id"}, ChunkRows: 3, BatchSize: 2}
	typed := &collectSink{}
	if _, err := c.Read(ctx, req, typed); err != nil {
		t.Fatal(err)
	}
	if typed.chunks != 2 || len(typed.rows) != 4 {
		t.Fatalf("%d rows in %d chunks, want 4 in 2", len(typed.rows), typed.chunks)
	}
	want := readWithPgx(t, c, req)
	for r := range want {
		for i, w := range want[r] {
			if got := typed.rows[r][i]; !sameValue(got, w) {
				t.Errorf("row %d %s: typed %#v, pgx %#v", r+1, cols[i].Name, got, w)
			}
		}
	}
}

// TestWideRowsMakeSmallerBatches reads rows of a MiB each: a batch ends at
// connectors.BatchMaxBytes, not at its 10,000 rows.
func TestWideRowsMakeSmallerBatches(t *testing.T) {
	c, schema := newTestSource(t, `CREATE TABLE %s.wide AS SELECT g AS id, repeat('x', 1 << 20) AS doc FROM generate_series(1, 12) g`)
	ref := connectors.TableRef{Schema: schema, Name: "wide"}
	cols, err := c.Columns(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	sink := &collectSink{}
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: ref, Columns: cols}, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.rows) != 12 || sink.batches != 3 {
		t.Fatalf("%d rows in %d batches, want 12 in 3", len(sink.rows), sink.batches)
	}
}

// readWithPgx reads the table with every column decoded by pgx's codecs.
func readWithPgx(t *testing.T, c *Connector, req connectors.ReadRequest) [][]any {
	t.Helper()
	ctx := context.Background()
	conn, err := c.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	query, args := selectSQL(connectors.ReadRequest{Table: req.Table, Columns: req.Columns, OrderBy: req.OrderBy, ChunkRows: 100}, nil)
	fields, err := describe(ctx, conn.Conn(), query)
	if err != nil {
		t.Fatal(err)
	}
	sink := &collectSink{}
	pipe := connectors.NewBatchPipe(ctx, sink)
	b := newBatcher(connectors.ReadRequest{BatchSize: 100}, fields, conn.Conn().TypeMap(), pipe, &connectors.ReadStats{})
	for i := range b.kinds {
		b.kinds[i], b.Layouts[i] = decodeValue, layoutOf(decodeValue)
	}
	err = b.fromCopy(ctx, conn.Conn(), query, args)
	if err == nil {
		b.Flush()
	}
	if cerr := pipe.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return sink.rows
}

// sameValue compares values: times as instants, decimals as numbers (pgx
// drops a zero's scale: 0 where Postgres prints 0.00), NaN equal to NaN.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case connectors.Decimal:
		y, ok := b.(connectors.Decimal)
		xr, okx := new(big.Rat).SetString(string(x))
		yr, oky := new(big.Rat).SetString(string(y))
		return ok && okx && oky && xr.Cmp(yr) == 0 || x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	}
	return reflect.DeepEqual(a, b)
}

func TestUnscaledNumeric(t *testing.T) {
	num := func(weight int16, sign uint16, dscale int16, digits ...uint16) []byte {
		out := []byte{byte(len(digits) >> 8), byte(len(digits)), byte(uint16(weight) >> 8), byte(weight), byte(sign >> 8), byte(sign), byte(dscale >> 8), byte(dscale)}
		for _, d := range digits {
			out = append(out, byte(d>>8), byte(d))
		}
		return out
	}
	cases := []struct {
		src   []byte
		scale int
		want  int64
		ok    bool
	}{
		{num(0, 0, 2, 12, 5000), 2, 1250, true},                             // 12.50
		{num(0, 0x4000, 2, 12, 5000), 2, -1250, true},                       // -12.50
		{num(-1, 0, 2, 100), 2, 1, true},                                    // 0.01
		{num(1, 0, 0, 1, 2), 3, 10002000, true},                             // 10002 at scale 3
		{num(0, 0, 3, 1, 2345), 2, 0, false},                                // 1.2345: more digits than the scale
		{num(0, 0xC000, 0), 2, 0, false},                                    // NaN
		{num(4, 0, 0, 1), 2, 0, false},                                      // 1e16 at scale 2: 19 digits
		{num(0, 0, 0), 2, 0, true},                                          // 0
		{num(-2, 0, 8, 1234), 8, 1234, true},                                // 0.00001234
		{num(3, 0, 0, 9999, 9999, 9999, 9999), 2, 999999999999999900, true}, // 16 nines at scale 2
		{num(4, 0, 0, 9, 9999), 2, 0, false},                                // 9 0009999 at scale 2: 19 digits
	}
	for i, c := range cases {
		got, ok, err := unscaledNumeric(c.src, c.scale)
		if err != nil || ok != c.ok || (ok && got != c.want) {
			t.Errorf("case %d: %d, %v, %v; want %d, %v", i, got, ok, err, c.want, c.ok)
		}
	}
}

func TestCopyStreamSplitAnywhere(t *testing.T) {
	stream := []byte(copySignature + "\x00\x00\x00\x00\x00\x00\x00\x00" +
		"\x00\x02\x00\x00\x00\x01A\xff\xff\xff\xff" + "\x00\x02\x00\x00\x00\x00\x00\x00\x00\x02BC" + "\xff\xff")
	for step := 1; step <= len(stream); step++ {
		var got []string
		s := newCopyStream(2, func(raw [][]byte) error {
			for _, v := range raw {
				if v == nil {
					got = append(got, "NULL")
				} else {
					got = append(got, "'"+string(v)+"'")
				}
			}
			return nil
		})
		for at := 0; at < len(stream); at += step {
			if _, err := s.Write(stream[at:min(at+step, len(stream))]); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		if err := s.finish(); err != nil || !reflect.DeepEqual(got, []string{"'A'", "NULL", "''", "'BC'"}) {
			t.Fatalf("step %d: %v %v", step, got, err)
		}
	}
}

// TestAppendDateMatchesTime renders every day from year 1 to 9999 the way
// time.Format does, and refuses the days outside.
func TestAppendDateMatchesTime(t *testing.T) {
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	first, last := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		got, ok := appendDate(nil, int32((day.Unix()-epoch.Unix())/86400))
		if want := day.Format(time.DateOnly); !ok || string(got) != want {
			t.Fatalf("%s: %q, %v", want, got, ok)
		}
	}
	for _, day := range []time.Time{first.AddDate(0, 0, -1), last.AddDate(0, 0, 1)} {
		if got, ok := appendDate(nil, int32((day.Unix()-epoch.Unix())/86400)); ok {
			t.Errorf("%s: %q, want refused", day, got)
		}
	}
}
