package api_test

import (
	"fmt"
	"testing"

	"github.com/sluice-dev/sluice/worker"
)

// cdcFingerprint is one md5 of a table's rows in key order (ties of id
// broken by the value, which starts with the rest of the key), the same in
// Postgres and in the lake.
const cdcFingerprint = `SELECT md5(string_agg(CAST(id AS VARCHAR) || ':' || coalesce(%[1]s, '~') || ':' || CAST(n AS VARCHAR), ','
	ORDER BY id, coalesce(%[1]s, '~'))) AS a FROM %[2]s`

// TestCDCSyncRunOfManyBuffers applies a run of changes several times the
// buffer, staged a buffer at a time and committed together, read in windows
// of 8 MiB of WAL (so also committed a window at a time): keys inserted,
// updated, deleted, inserted again and moved across buffers end as at the
// source, row by row, on hard-delete tables with a key of one integer and a
// key of a text and an integer; on a soft-delete table of the
// same run, a TOASTed value an update left unsent is the one an earlier
// buffer wrote, and keys inserted in an earlier buffer are marked deleted.
func TestCDCSyncRunOfManyBuffers(t *testing.T) {
	if testing.Short() {
		t.Skip("400,000 changes take a while")
	}
	f := newCDCFixtureWith(t, `CREATE TABLE hard (id int PRIMARY KEY, v text, n int, pad text);
		INSERT INTO hard SELECT g, 'v' || g, g, repeat('p', 200) FROM generate_series(1, 100000) g;
		CREATE TABLE soft (id int PRIMARY KEY, note text, big text, n int);
		INSERT INTO soft SELECT g, 'o' || g, NULL, g FROM generate_series(1, 1000) g;
		UPDATE soft SET big = (SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 3000) g) WHERE id = 5;
		CREATE TABLE pair (region text, id int, v text, n int, PRIMARY KEY (region, id));
		INSERT INTO pair SELECT r, g, 'v', g FROM generate_series(1, 20000) g, unnest(ARRAY['east', 'west']) r;`,
		func(d *worker.Deps) { d.CDCWindowMB = 8 })
	f.configured(t, map[string]any{"dest_schema": "cdc", "schedule": "daily", "load_method": "cdc",
		"tables": []any{map[string]any{"name": "public.hard", "delete_mode": "hard"}, "public.soft",
			map[string]any{"name": "public.pair", "delete_mode": "hard"}}})
	f.run(t)
	for _, sql := range []string{
		`INSERT INTO hard SELECT g, 'new', g, repeat('p', 200) FROM generate_series(100001, 250000) g`,
		`UPDATE soft SET big = (SELECT string_agg(md5(random()::text || g), '') FROM generate_series(1, 3000) g) WHERE id = 5;
		 INSERT INTO soft SELECT g, 'o' || g, NULL, g FROM generate_series(1001, 1100) g`,
		`UPDATE hard SET v = 'u1', n = n + 1 WHERE id % 2 = 0`,
		`DELETE FROM hard WHERE id % 3 = 0`,
		`INSERT INTO hard SELECT g, 'back', -g, repeat('p', 200) FROM generate_series(1, 250000) g WHERE g % 6 = 0`,
		`UPDATE hard SET v = 'u2' WHERE id % 5 = 0`,
		`UPDATE hard SET id = id + 1000000 WHERE id % 7 = 0 AND id < 50000`,
		`DELETE FROM hard WHERE id BETWEEN 120000 AND 120010; INSERT INTO hard VALUES (120005, 'again', 0, 'p')`,
		`UPDATE soft SET note = 'late' WHERE id = 5; DELETE FROM soft WHERE id BETWEEN 1050 AND 1060`,
		// A key of two columns, one text: updated, deleted, inserted again
		// and moved to another region.
		`UPDATE pair SET v = 'u', n = -n WHERE id % 2 = 0`,
		`DELETE FROM pair WHERE id % 3 = 0 AND region = 'east'`,
		`INSERT INTO pair SELECT 'east', g, 'back', 0 FROM generate_series(1, 20000) g WHERE g % 9 = 0`,
		`UPDATE pair SET region = 'north' WHERE id % 5 = 0 AND region = 'west'`,
	} {
		f.source(sql)
	}
	run := f.run(t)
	if tb := runTables(run)["public.hard"]; tb["rows_read"].(float64) < 400_000 {
		t.Fatalf("changes read: %v, want over 400,000 (several buffers)", tb["rows_read"])
	}
	for _, c := range []struct{ table, value, where string }{
		{"hard", "v", ""},
		{"soft", "note || ':' || coalesce(md5(big), '~')", " WHERE _sluice_deleted_at IS NULL"},
		{"pair", "region || ':' || v", ""},
	} {
		want := f.sourceValue(t, fmt.Sprintf(cdcFingerprint, c.value, c.table))
		got := fmt.Sprint(f.lakeRow(t, fmt.Sprintf(cdcFingerprint, c.value, "cdc."+c.table+c.where))["a"])
		if got != want {
			t.Errorf("%s in the lake differs from the source: md5 %s, want %s", c.table, got, want)
		}
	}
	f.lakeIs(t, `SELECT count(*) AS a, string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FILTER (WHERE _sluice_deleted_at IS NOT NULL) AS b FROM cdc.soft`,
		"1100 1050,1051,1052,1053,1054,1055,1056,1057,1058,1059,1060")
}
