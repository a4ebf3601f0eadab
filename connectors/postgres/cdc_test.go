package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/postgres"
	"github.com/sluice-dev/sluice/internal/testenv/pgcluster"
	"github.com/sluice-dev/sluice/netguard"
)

// cdcSource starts a wal_level=logical cluster with a replication role
// "capture" owning the tables setup creates, and opens the connector as it.
func cdcSource(t testing.TB, setup string) (*pgcluster.Server, *postgres.Connector) {
	t.Helper()
	srv := pgcluster.StartLogical(t)
	srv.Exec("postgres", "CREATE ROLE capture LOGIN REPLICATION")
	srv.Exec("postgres", "CREATE DATABASE src OWNER capture")
	srv.Exec("src", "SET ROLE capture; "+setup)
	return srv, openCDCAs(t, srv, "capture")
}

func openCDCAs(t testing.TB, srv *pgcluster.Server, role string) *postgres.Connector {
	t.Helper()
	netguard.SetAllowPrivate(true)
	spec, _ := connectors.Lookup("postgres")
	config, secrets, err := spec.Normalize(srv.Credentials("src", role))
	if err != nil {
		t.Fatal(err)
	}
	c, closeFn, err := connectors.Open[*postgres.Connector](context.Background(), "postgres", connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeFn(context.Background()) })
	return c
}

// kindNames name the change kinds in what the recorders keep.
var kindNames = map[postgres.ChangeKind]string{postgres.ChangeUpsert: "upsert", postgres.ChangeDelete: "delete", postgres.ChangeTruncate: "truncate"}

// recorder keeps the changes and commits a stream delivers, as text.
type recorder struct {
	events []string
}

func (r *recorder) Change(_ context.Context, c postgres.Change) error {
	var parts []string
	for i, name := range c.Columns {
		switch {
		case c.Unchanged[i]:
			parts = append(parts, name+"=unchanged")
		case c.Values[i] == nil:
			parts = append(parts, name+"=null")
		default:
			v := fmt.Sprint(c.Values[i])
			if len(v) > 20 {
				v = fmt.Sprintf("<%d chars>", len(v))
			}
			parts = append(parts, name+"="+v)
		}
	}
	kind := kindNames[c.Kind]
	r.events = append(r.events, kind+" "+c.Table.String()+" "+strings.Join(parts, " "))
	return nil
}

func (r *recorder) Commit(context.Context, pglogrepl.LSN) error {
	r.events = append(r.events, "commit")
	return nil
}

// stream streams the slot from its confirmed position to the server's
// current one, skipping transactions that committed before skip.
func stream(t *testing.T, c *postgres.Connector, slot string, cols map[string][]connectors.Column, skip ...pglogrepl.LSN) (*recorder, pglogrepl.LSN) {
	t.Helper()
	rec := &recorder{}
	var before pglogrepl.LSN
	if len(skip) > 0 {
		before = skip[0]
	}
	return rec, streamTo(t, c, slot, cols, rec, before)
}

// streamTo streams the slot from its confirmed position to the server's
// current one into h, skipping transactions that committed before skip,
// and returns the position reached.
func streamTo(t testing.TB, c *postgres.Connector, slot string, cols map[string][]connectors.Column, h postgres.ChangeHandler, skip pglogrepl.LSN) pglogrepl.LSN {
	t.Helper()
	return streamWith(t, c, slot, h, postgres.StreamOptions{Columns: cols, SkipBefore: skip})
}

// streamWith is streamTo with more of the read's options.
func streamWith(t testing.TB, c *postgres.Connector, slot string, h postgres.ChangeHandler, opts postgres.StreamOptions) pglogrepl.LSN {
	t.Helper()
	reached, err := readChanges(t, c, slot, h, opts)
	if err != nil {
		t.Fatalf("read the slot's changes: %v", err)
	}
	return reached
}

// readChanges reads the slot's changes as a run does, with a ChangeReader
// from its confirmed position up to the server's position now; the slot
// does not move.
func readChanges(t testing.TB, c *postgres.Connector, slot string, h postgres.ChangeHandler, opts postgres.StreamOptions) (pglogrepl.LSN, error) {
	t.Helper()
	st, err := c.Slot(context.Background(), slot)
	if err != nil || !st.Exists {
		t.Fatalf("slot %s: %+v %v", slot, st, err)
	}
	opts.Slot, opts.Publication, opts.Start, opts.Until = slot, slot, st.ConfirmedLSN, st.CurrentLSN
	reader, err := c.OpenChangeReader(context.Background(), slot)
	if err != nil {
		return 0, err
	}
	defer reader.Close(context.Background())
	return reader.Read(context.Background(), opts, h)
}

// createSlot publishes tbl and creates a slot for it, named as its publication.
func createSlot(t testing.TB, c *postgres.Connector, tbl connectors.TableRef) string {
	t.Helper()
	slot, repl, _ := openSlot(t, c, tbl)
	_ = repl.Close(context.Background())
	return slot
}

// openSlot is createSlot leaving open the replication connection that
// created the slot, and so the snapshot it exported.
func openSlot(t testing.TB, c *postgres.Connector, tbl connectors.TableRef) (string, *postgres.Replication, postgres.CreatedSlot) {
	t.Helper()
	ctx := context.Background()
	slot := postgres.SlotName(uuid.New())
	if err := c.EnsurePublication(ctx, slot, []connectors.TableRef{tbl}); err != nil {
		t.Fatal(err)
	}
	repl, err := c.OpenReplication(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = repl.Close(context.Background()) })
	created, err := repl.CreateSlot(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	return slot, repl, created
}

// TestCDCStreamsChangesInCommitOrder covers interleaved transactions (each
// arrives whole, at its commit), an update leaving a TOASTed value
// unchanged, a delete (its key only), a truncate, and a table name with a
// quote in it. The exported snapshot sees the rows before the slot.
func TestCDCStreamsChangesInCommitOrder(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE "we""ird" (id int PRIMARY KEY, note text, big text);
		INSERT INTO "we""ird" VALUES (1, 'before', NULL)`)
	ctx := context.Background()
	tbl := connectors.TableRef{Schema: "public", Name: `we"ird`}
	problems, err := c.CDCProblems(ctx, []connectors.TableRef{tbl})
	if err != nil || len(problems) > 0 {
		t.Fatalf("problems %v, err %v", problems, err)
	}
	slot, repl, created := openSlot(t, c, tbl)
	srv.Exec("src", `INSERT INTO "we""ird" VALUES (2, 'after the slot', NULL)`)
	sink := &rowsSink{}
	cols, err := c.Columns(ctx, tbl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(ctx, connectors.ReadRequest{Table: tbl, Columns: cols, Snapshot: created.Snapshot}, sink); err != nil {
		t.Fatalf("read in the exported snapshot: %v", err)
	}
	if len(sink.rows) != 1 {
		t.Fatalf("the snapshot read %d rows, want the 1 from before the slot", len(sink.rows))
	}
	_ = repl.Close(ctx)

	// Two sessions interleave: B commits first, so its change comes first.
	a, b := openTx(t, srv), openTx(t, srv)
	a.exec(`INSERT INTO "we""ird" VALUES (3, 'a', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 4000)))`)
	b.exec(`UPDATE "we""ird" SET note = 'b' WHERE id = 1`)
	b.commit()
	a.exec(`UPDATE "we""ird" SET note = 'a2' WHERE id = 3`)
	a.commit()
	srv.Exec("src", `DELETE FROM "we""ird" WHERE id = 2; TRUNCATE "we""ird"`)

	rec, reached := stream(t, c, slot, map[string][]connectors.Column{tbl.String(): cols})
	want := []string{
		`upsert public.we"ird id=2 note=after the slot big=null`, "commit",
		`upsert public.we"ird id=1 note=b big=null`, "commit",
		`upsert public.we"ird id=3 note=a big=<128000 chars>`,
		`upsert public.we"ird id=3 note=a2 big=unchanged`, "commit",
		`delete public.we"ird id=2 note=unchanged big=unchanged`,
		`truncate public.we"ird `, "commit",
	}
	if strings.Join(rec.events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(rec.events, "\n"), strings.Join(want, "\n"))
	}
	// Nothing is confirmed until told: a second stream repeats everything.
	if again, _ := stream(t, c, slot, nil); len(again.events) != len(want) {
		t.Fatalf("a stream before AdvanceSlot delivered %d events, want all %d again", len(again.events), len(want))
	}
	// Applied but not advanced (a crash between the two): skipped.
	if again, _ := stream(t, c, slot, nil, reached); len(again.events) != 0 {
		t.Fatalf("transactions before SkipBefore were delivered: %v", again.events)
	}
	if err := c.AdvanceSlot(ctx, slot, reached); err != nil {
		t.Fatal(err)
	}
	if again, _ := stream(t, c, slot, nil); len(again.events) != 0 {
		t.Fatalf("after AdvanceSlot the stream delivered %v", again.events)
	}
	if err := c.DropCDC(ctx, slot, slot); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Slot(ctx, slot); err != nil || st.Exists {
		t.Fatalf("slot after DropCDC: %+v %v", st, err)
	}
}

// TestCDCStreamOfADroppedSlotSaysItIsGone drops the slot behind sluice's back.
func TestCDCStreamOfADroppedSlotSaysItIsGone(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE t (id int PRIMARY KEY)`)
	ctx := context.Background()
	slot := postgres.SlotName(uuid.New())
	if err := c.EnsurePublication(ctx, slot, []connectors.TableRef{{Schema: "public", Name: "t"}}); err != nil {
		t.Fatal(err)
	}
	repl, err := c.OpenReplication(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer repl.Close(ctx)
	created, err := repl.CreateSlot(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	srv.Exec("src", "SELECT pg_drop_replication_slot('"+slot+"')")
	_, err = c.PeekChanges(ctx, postgres.StreamOptions{Slot: slot, Publication: slot, Start: created.ConsistentPoint, Until: created.ConsistentPoint + 1}, &recorder{})
	if !errors.Is(err, postgres.ErrSlotGone) {
		t.Fatalf("changes of a dropped slot: %v, want ErrSlotGone", err)
	}
}

// TestCDCProblemsSayWhatToChange checks a source that cannot serve cdc.
func TestCDCProblemsSayWhatToChange(t *testing.T) {
	srv, _ := cdcSource(t, `CREATE TABLE keyless (v int); CREATE TABLE nothing (id int PRIMARY KEY);
		ALTER TABLE nothing REPLICA IDENTITY NOTHING`)
	srv.Exec("postgres", "CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
	c := openCDCAs(t, srv, "reader")
	problems, err := c.CDCProblems(context.Background(), []connectors.TableRef{{Schema: "public", Name: "keyless"}, {Schema: "public", Name: "nothing"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(problems, "\n")
	for _, want := range []string{`ALTER ROLE "reader" WITH REPLICATION`, "table public.keyless has no primary key", "REPLICA IDENTITY NOTHING"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems do not say %q:\n%s", want, got)
		}
	}
}

// txSession is a connection to the cluster's src database with an open
// transaction.
type txSession struct {
	t    *testing.T
	conn *pgx.Conn
}

func openTx(t *testing.T, srv *pgcluster.Server) *txSession {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), srv.URL("src"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	s := &txSession{t: t, conn: conn}
	s.exec("BEGIN")
	return s
}

func (s *txSession) exec(sql string) {
	s.t.Helper()
	if _, err := s.conn.Exec(context.Background(), sql); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
}

func (s *txSession) commit() { s.exec("COMMIT") }

// TestCDCStreamDecodesEveryLakeType streams rows of every type the lake
// maps, NULLs and edge values included, and checks each value is what a
// read of the same row gives.
func TestCDCStreamDecodesEveryLakeType(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE typed (id int8 PRIMARY KEY, i2 int2, i4 int4, amount numeric(12,2), wide numeric,
		note text, code varchar(8), flag bool, day date, at timestamp, atz timestamptz, u uuid, j json, jb jsonb,
		raw bytea, ints int4[], f4 float4, f8 float8)`)
	ctx := context.Background()
	tbl := connectors.TableRef{Schema: "public", Name: "typed"}
	slot := createSlot(t, c, tbl)
	srv.Exec("src", `INSERT INTO typed VALUES
		(1, -32768, 2147483647, 1234567890.12, 123456789012345678901234567890.000000000000000000001, 'héllo', 'abc', true,
		 '2024-02-29', '2024-01-01 12:34:56.789', '2024-06-30 23:59:59.999999+05:30', '5f0c5d8e-9b1f-4c1e-8c3f-2a9d1b7e6f10',
		 '{"a": [1, 2]}', '{"b": null}', '\x00ff', '{1,NULL,3}', 0.25, -1e300),
		(2, NULL, NULL, -0.01, 'NaN', '', NULL, false, '0044-03-15 BC', '0044-03-15 12:00:00 BC', 'infinity', NULL,
		 NULL, NULL, NULL, NULL, 'NaN', '-Infinity'),
		(3, 0, 0, 0, -0.5, NULL, NULL, NULL, NULL, '-infinity', '1901-12-13 20:45:52+00:53:28', NULL, NULL, NULL, NULL, '{}', NULL, NULL)`)
	cols, err := c.Columns(ctx, tbl)
	if err != nil {
		t.Fatal(err)
	}
	streamMatchesRead(t, c, slot, tbl, cols, 3)
	// int4[] is decoded in binary too, though BinaryChanges leaves such a
	// table's stream in text.
	if ok, err := c.BinaryChanges(ctx, []connectors.TableRef{tbl}); err != nil || ok {
		t.Errorf("binary changes of a table with an int4[]: %v %v, want false", ok, err)
	}
}

// streamMatchesRead streams the slot's n rows of tbl in text and in binary
// and checks each value is what a read of the row gives.
func streamMatchesRead(t *testing.T, c *postgres.Connector, slot string, tbl connectors.TableRef, cols []connectors.Column, n int) {
	t.Helper()
	read := &rowsSink{}
	if _, err := c.Read(context.Background(), connectors.ReadRequest{Table: tbl, Columns: cols}, read); err != nil {
		t.Fatal(err)
	}
	for _, binary := range []bool{false, true} {
		streamed := &keepingHandler{}
		streamWith(t, c, slot, streamed, postgres.StreamOptions{Columns: map[string][]connectors.Column{tbl.String(): cols}, Binary: binary})
		if len(streamed.rows) != n || len(read.rows) != n {
			t.Fatalf("binary %v: streamed %d rows, read %d, want %d", binary, len(streamed.rows), len(read.rows), n)
		}
		for r := range read.rows {
			for i, col := range cols {
				if got, want := comparable(streamed.rows[r][i]), comparable(read.rows[r][i]); got != want {
					t.Errorf("binary %v: row %d %s (%s): streamed %s, read %s", binary, r+1, col.Name, col.Type.Kind, got, want)
				}
			}
		}
	}
}

// TestCDCBinaryNumericsAreExact streams numerics of every shape in binary,
// each as Postgres prints it, and a table of such types takes binary.
func TestCDCBinaryNumericsAreExact(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE nums (id int8 PRIMARY KEY, v numeric, money numeric(12,2), at timestamptz, local timestamp)`)
	tbl := connectors.TableRef{Schema: "public", Name: "nums"}
	slot := createSlot(t, c, tbl)
	values := []string{"0", "1", "-1", "0.0001", "-0.00010", "1.50", "9999", "10000", "10000.0000", "123456789.987654321", "0.000000000000000000000001",
		"-99999999999999999999999.5", "1e20", "1.2345e-3", "100000000", "NaN", "Infinity", "-Infinity", "7.000000"}
	srv.Exec("src", fmt.Sprintf(`INSERT INTO nums SELECT i, (ARRAY['%s'])[i]::numeric, ((i * 12345) %% 100000) / 100.0 - 500,
		timestamptz '1500-03-01 00:00:00+00' + i * interval '400 years 3 days 1.000001 seconds',
		timestamp '0200-01-01 00:00:00' + i * interval '500 years 7 hours'
		FROM generate_series(1, %d) i`, strings.Join(values, "','"), len(values)))
	cols, err := c.Columns(context.Background(), tbl)
	if err != nil {
		t.Fatal(err)
	}
	streamMatchesRead(t, c, slot, tbl, cols, len(values))
	if ok, err := c.BinaryChanges(context.Background(), []connectors.TableRef{tbl}); err != nil || !ok {
		t.Errorf("binary changes of numerics and timestamps: %v %v, want true", ok, err)
	}
}

// comparable renders a value for comparison: instants in UTC.
func comparable(v any) string {
	if at, ok := v.(time.Time); ok {
		v = at.UTC()
	}
	return fmt.Sprintf("%T %v", v, v)
}

// keepingHandler keeps a copy of each change's values.
type keepingHandler struct{ rows [][]any }

func (h *keepingHandler) Change(_ context.Context, c postgres.Change) error {
	h.rows = append(h.rows, slices.Clone(c.Values))
	return nil
}

func (h *keepingHandler) Commit(context.Context, pglogrepl.LSN) error { return nil }

// TestCDCWindowsDeliverEveryChangeOnce reads a slot's changes in small
// windows of WAL, advancing the slot after each, as a run does, with
// PeekChanges (a source with no slot to spare) and with a ChangeReader
// whose copy of the slot is read in pieces smaller than a window: every
// change arrives once and in commit order, a transaction that spans windows
// arrives whole in the window of its commit, and an emptied window moves on.
func TestCDCWindowsDeliverEveryChangeOnce(t *testing.T) {
	defer postgres.SetReadAheadWAL(64 << 10)()
	advance := func(c *postgres.Connector, slot string, next pglogrepl.LSN) error {
		return c.AdvanceSlot(context.Background(), slot, next)
	}
	t.Run("peek", func(t *testing.T) {
		windowsDeliverEveryChangeOnce(t, func(c *postgres.Connector, slot string) windowReader {
			return windowReader{read: c.PeekChanges, confirm: func(next pglogrepl.LSN) error { return advance(c, slot, next) }, done: func() {}}
		})
	})
	openReader := func(t *testing.T, c *postgres.Connector, slot string) *postgres.ChangeReader {
		r, err := c.OpenChangeReader(context.Background(), slot)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Copied() {
			t.Fatal("the reader made no copy of the slot")
		}
		return r
	}
	t.Run("reader", func(t *testing.T) {
		windowsDeliverEveryChangeOnce(t, func(c *postgres.Connector, slot string) windowReader {
			r := openReader(t, c, slot)
			return windowReader{read: r.Read, confirm: func(next pglogrepl.LSN) error { return advance(c, slot, next) }, done: func() { r.Close(context.Background()) }}
		})
	})
	// As a run moves the slot: to the reader's position, kept in a copy.
	t.Run("reader moving the slot to its position", func(t *testing.T) {
		windowsDeliverEveryChangeOnce(t, func(c *postgres.Connector, slot string) windowReader {
			r := openReader(t, c, slot)
			return windowReader{read: r.Read, confirm: func(pglogrepl.LSN) error {
				if kept, err := r.Keep(context.Background()); err != nil || !kept {
					return fmt.Errorf("keep the reader's position: kept %v, %v", kept, err)
				}
				return c.MoveSlotToKept(context.Background(), slot)
			}, done: func() { r.Close(context.Background()) }}
		})
	})
}

// windowReader reads windows of a slot's changes and moves the slot past
// each (confirm).
type windowReader struct {
	read    func(ctx context.Context, opts postgres.StreamOptions, h postgres.ChangeHandler) (pglogrepl.LSN, error)
	confirm func(next pglogrepl.LSN) error
	done    func()
}

func windowsDeliverEveryChangeOnce(t *testing.T, open func(c *postgres.Connector, slot string) windowReader) {
	srv, c := cdcSource(t, `CREATE TABLE t (id int PRIMARY KEY, pad text)`)
	ctx := context.Background()
	slot := createSlot(t, c, connectors.TableRef{Schema: "public", Name: "t"})
	srv.Exec("src", `INSERT INTO t SELECT g, repeat('p', 500) FROM generate_series(1, 2000) g`)
	srv.Exec("src", `INSERT INTO t SELECT g, repeat('q', 500) FROM generate_series(2001, 6000) g`)
	for b := 0; b < 10; b++ {
		srv.Exec("src", fmt.Sprintf("DELETE FROM t WHERE id = %d", b*100+1))
	}
	st, err := c.Slot(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	w := open(c, slot)
	defer w.done()
	const window = 256 << 10 // the 4,000-row transaction alone spans several
	ids := &idRecorder{}
	windows, delivering, reached := 0, 0, st.ConfirmedLSN
	for reached < st.CurrentLSN {
		before := len(ids.events)
		next, err := w.read(ctx, postgres.StreamOptions{Slot: slot, Publication: slot, Start: reached, Until: min(st.CurrentLSN, reached+window)}, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids.events) > before {
			delivering++
		}
		if err := w.confirm(next); err != nil {
			t.Fatal(err)
		}
		windows, reached = windows+1, next
	}
	if windows < 4 || delivering < 2 {
		t.Fatalf("read in %d windows, %d of them with changes; want several", windows, delivering)
	}
	var want []string
	for i := 1; i <= 6000; i++ {
		want = append(want, fmt.Sprintf("upsert %d", i))
		if i == 2000 || i == 6000 {
			want = append(want, "commit")
		}
	}
	for b := 0; b < 10; b++ {
		want = append(want, fmt.Sprintf("delete %d", b*100+1), "commit")
	}
	if strings.Join(ids.events, ",") != strings.Join(want, ",") {
		t.Fatalf("changes read in %d windows differ from the source's: got %d events, want %d; first got %.200v", windows, len(ids.events), len(want), ids.events)
	}
	if after, err := c.Slot(ctx, slot); err != nil || after.ConfirmedLSN < st.CurrentLSN {
		t.Fatalf("slot after the windows: %+v %v, want it at %s", after, err, st.CurrentLSN)
	}
	if again, _ := stream(t, c, slot, nil); len(again.events) != 0 {
		t.Fatalf("after the slot moved, its changes came again: %v", again.events)
	}
}

// TestCDCReadIgnoresTheRoleStatementTimeout reads a window whose decoding
// takes longer than the statement_timeout the source sets for the role.
func TestCDCReadIgnoresTheRoleStatementTimeout(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE t (id int PRIMARY KEY, pad text)`)
	slot := createSlot(t, c, connectors.TableRef{Schema: "public", Name: "t"})
	srv.Exec("src", `INSERT INTO t SELECT g, repeat('p', 100) FROM generate_series(1, 200000) g`)
	srv.Exec("postgres", "ALTER ROLE capture SET statement_timeout = '20ms'")
	h := &countingHandler{}
	if _, err := readChanges(t, openCDCAs(t, srv, "capture"), slot, h, postgres.StreamOptions{}); err != nil || h.changes != 200_000 {
		t.Fatalf("read under a 20 ms statement_timeout: %d changes, %v", h.changes, err)
	}
}

// idRecorder keeps each change's kind and first value, and each commit.
type idRecorder struct{ events []string }

func (r *idRecorder) Change(_ context.Context, c postgres.Change) error {
	kind := kindNames[c.Kind]
	r.events = append(r.events, fmt.Sprintf("%s %v", kind, c.Values[0]))
	return nil
}

func (r *idRecorder) Commit(context.Context, pglogrepl.LSN) error {
	r.events = append(r.events, "commit")
	return nil
}

// TestCDCUpdateThatMovesARow covers an UPDATE of a row's primary key: the
// old key's delete, then the new row. A TOASTed value the update did not
// send comes from the old row under REPLICA IDENTITY FULL; with the default
// identity only the old key is sent, and the stream fails saying what to do
// rather than losing the value.
func TestCDCUpdateThatMovesARow(t *testing.T) {
	big := `(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 4000))`
	srv, c := cdcSource(t, `CREATE TABLE t (id int PRIMARY KEY, note text, big text);
		CREATE TABLE f (id int PRIMARY KEY, note text, big text); ALTER TABLE f REPLICA IDENTITY FULL;
		INSERT INTO t VALUES (1, 'a', NULL), (2, 'b', `+big+`);
		INSERT INTO f VALUES (2, 'b', `+big+`)`)
	ctx := context.Background()
	tblT, tblF := connectors.TableRef{Schema: "public", Name: "t"}, connectors.TableRef{Schema: "public", Name: "f"}
	slotT, slotF := createSlot(t, c, tblT), createSlot(t, c, tblF)
	srv.Exec("src", `UPDATE f SET id = 20 WHERE id = 2; UPDATE t SET id = 10 WHERE id = 1`)

	full, _ := stream(t, c, slotF, nil)
	// Under REPLICA IDENTITY FULL every column is the identity: the delete
	// carries the old row.
	want := []string{"delete public.f id=2 note=b big=<128000 chars>", "upsert public.f id=20 note=b big=<128000 chars>", "commit"}
	if strings.Join(full.events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("REPLICA IDENTITY FULL events:\n%s\nwant:\n%s", strings.Join(full.events, "\n"), strings.Join(want, "\n"))
	}
	keyOnly, reached := stream(t, c, slotT, nil)
	want = []string{"delete public.t id=1 note=unchanged big=unchanged", "upsert public.t id=10 note=a big=null", "commit"}
	if strings.Join(keyOnly.events, "\n") != strings.Join(want, "\n") {
		t.Fatalf("default identity events:\n%s\nwant:\n%s", strings.Join(keyOnly.events, "\n"), strings.Join(want, "\n"))
	}
	if err := c.AdvanceSlot(ctx, slotT, reached); err != nil {
		t.Fatal(err)
	}
	srv.Exec("src", `UPDATE t SET id = 20 WHERE id = 2`)
	_, err := readChanges(t, c, slotT, &recorder{}, postgres.StreamOptions{})
	if err == nil || !strings.Contains(err.Error(), "REPLICA IDENTITY FULL") || !strings.Contains(err.Error(), "big") {
		t.Fatalf("a moved row with an unsent TOASTed value: %v, want an error naming the column and REPLICA IDENTITY FULL", err)
	}
	// The failed read was cut short; the connector reads again as before.
	if _, again := readChanges(t, c, slotT, &recorder{}, postgres.StreamOptions{}); again == nil || again.Error() != err.Error() {
		t.Fatalf("reading again after the failure: %v, want %v", again, err)
	}
}

// TestCDCKeptPositionSurvivesACrash stops a run at each step of moving the
// slot to a reader's position (Keep, then MoveSlotToKept): after a crash
// before the lake held the changes, RecoverSlot drops the kept copy and the
// changes come again; after one that dropped the slot to move it, the slot
// is back at the kept position and they do not. Deleting the sync drops a
// kept copy, and a reader keeps nothing of a slot dropped meanwhile.
func TestCDCKeptPositionSurvivesACrash(t *testing.T) {
	srv, c := cdcSource(t, `CREATE TABLE t (id int PRIMARY KEY)`)
	ctx := context.Background()
	slot := createSlot(t, c, connectors.TableRef{Schema: "public", Name: "t"})
	db, err := pgx.Connect(ctx, srv.URL("src"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(ctx)
	slots := func() string {
		var names string
		if err := db.QueryRow(ctx, "SELECT coalesce(string_agg(slot_name, ',' ORDER BY slot_name), '') FROM pg_replication_slots WHERE NOT temporary").Scan(&names); err != nil {
			t.Fatal(err)
		}
		return names
	}
	read := func() (*postgres.ChangeReader, int) {
		t.Helper()
		st, err := c.Slot(ctx, slot)
		if err != nil || !st.Exists {
			t.Fatalf("slot %s: %+v %v", slot, st, err)
		}
		r, err := c.OpenChangeReader(ctx, slot)
		if err != nil {
			t.Fatal(err)
		}
		h := &countingHandler{}
		if _, err := r.Read(ctx, postgres.StreamOptions{Slot: slot, Publication: slot, Start: st.ConfirmedLSN, Until: st.CurrentLSN}, h); err != nil {
			t.Fatal(err)
		}
		return r, h.changes
	}
	keep := func(r *postgres.ChangeReader) {
		t.Helper()
		if kept, err := r.Keep(ctx); err != nil || !kept {
			t.Fatalf("keep the reader's position: kept %v, %v", kept, err)
		}
		r.Close(ctx)
	}
	srv.Exec("src", "INSERT INTO t SELECT generate_series(1, 100)")

	r, n := read()
	keep(r)
	if got := slots(); got != slot+","+slot+"_next" || n != 100 {
		t.Fatalf("after keeping a read of %d changes: slots %q", n, got)
	}
	if err := c.RecoverSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	if r, n := read(); slots() != slot || n != 100 {
		t.Fatalf("after a crash before the lake commit: slots %q, %d changes read again, want 100", slots(), n)
	} else {
		keep(r)
	}
	srv.Exec("src", "SELECT pg_drop_replication_slot($1)", slot) // a crash mid-move
	if err := c.RecoverSlot(ctx, slot); err != nil {
		t.Fatal(err)
	}
	if r, n := read(); slots() != slot || n != 0 {
		t.Fatalf("after a crash mid-move: slots %q, %d changes read again, want none", slots(), n)
	} else {
		r.Close(ctx)
	}
	srv.Exec("src", "INSERT INTO t VALUES (101)")
	r, n = read()
	keep(r)
	if err := c.MoveSlotToKept(ctx, slot); err != nil || n != 1 || slots() != slot {
		t.Fatalf("move after %d changes: slots %q, %v", n, slots(), err)
	}

	r, _ = read()
	keep(r)
	if err := c.DropCDC(ctx, slot, slot); err != nil || slots() != "" {
		t.Fatalf("DropCDC left slots %q: %v", slots(), err)
	}
	r, _ = func() (*postgres.ChangeReader, int) { // the slot again, for a reader of it to outlive
		if err := c.EnsurePublication(ctx, slot, []connectors.TableRef{{Schema: "public", Name: "t"}}); err != nil {
			t.Fatal(err)
		}
		srv.Exec("src", "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", slot)
		return read()
	}()
	srv.Exec("src", "SELECT pg_drop_replication_slot($1)", slot) // the sync deleted mid-run
	if kept, err := r.Keep(ctx); kept || !errors.Is(err, postgres.ErrSlotGone) || slots() != "" {
		t.Fatalf("keep for a dropped slot: kept %v, %v, slots %q", kept, err, slots())
	}
	r.Close(ctx)
}
