package syncspec

import (
	"testing"
	"time"
)

func TestParseSchedule(t *testing.T) {
	for _, ok := range []string{"hourly", "every_4_hours", "every_6_hours", "every_12_hours", "daily", "weekly", "cron:0 3 * * *", "cron:*/15 * * * *", "cron:@daily"} {
		if _, err := ParseSchedule(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "monthly", "Daily", "cron:", "cron:61 * * * *", "cron:* * * * *", "cron:not cron", "every_3_hours"} {
		if _, err := ParseSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s, _ := ParseSchedule("every_6_hours")
	if got := s.Next(time.Date(2026, 1, 1, 7, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("next every_6_hours after 07:30 = %s", got)
	}
	w, _ := ParseSchedule("weekly") // Temporal counts weeks from the epoch, a Thursday
	if got := w.Next(time.Date(2026, 1, 1, 7, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 8, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("next weekly after Thursday 2026-01-01 07:30 = %s, want Thursday 2026-01-08 00:00", got)
	}
	c, _ := ParseSchedule("cron:0 3 * * *")
	if got := c.Next(time.Date(2026, 1, 1, 7, 30, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)) {
		t.Errorf("next cron after 07:30 = %s", got)
	}
}

func TestTableSelectors(t *testing.T) {
	s, err := ParseTableSelector("public.*")
	if err != nil || !s.IsGlob() || !s.Matches("public", "users") || s.Matches("other", "users") {
		t.Fatalf("public.*: %+v %v", s, err)
	}
	exact, _ := ParseTableSelector("public.users")
	if exact.IsGlob() || !exact.Matches("public", "users") || exact.Matches("public", "users2") {
		t.Fatalf("public.users: %+v", exact)
	}
	for _, bad := range []string{"", "users", ".users", "public.", "*.users", "public.[", "p.\\"} {
		if _, err := ParseTableSelector(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestIdentifiersAndDestNames(t *testing.T) {
	for _, ok := range []string{"POSTGRES_DATA", "my_data", "_x"} {
		if !ValidIdentifier(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", "1abc", "my-data", "a b", "x;drop"} {
		if ValidIdentifier(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := DestTableName("Order Items-2024"); got != "order_items_2024" {
		t.Errorf("dest name = %q", got)
	}
	if got := DestTableName("2024sales"); got != "t_2024sales" {
		t.Errorf("dest name = %q", got)
	}
}

func TestDeleteModes(t *testing.T) {
	for _, c := range []struct {
		mode, method string
		ok           bool
	}{
		{"", LoadMerge, true}, {DeleteKeep, LoadAppend, true}, {DeleteHard, LoadMerge, true}, {DeleteSoft, LoadMerge, true},
		{DeleteHard, LoadAppend, false}, {DeleteSoft, LoadOverwrite, false}, {"Hard", LoadMerge, false}, {"purge", LoadMerge, false},
	} {
		if err := CheckDeleteMode(c.mode, c.method); (err == nil) != c.ok {
			t.Errorf("CheckDeleteMode(%q, %q) = %v", c.mode, c.method, err)
		}
	}
	if DefaultDeleteMode(LoadMerge) != DeleteSoft || DefaultDeleteMode(LoadAppend) != DeleteKeep {
		t.Error("defaults")
	}
	cfg := Config{LoadMethod: LoadMerge, DeleteMode: DeleteSoft}
	if cfg.TableDeleteMode(TableSpec{}) != DeleteSoft || cfg.TableDeleteMode(TableSpec{DeleteMode: DeleteHard}) != DeleteHard {
		t.Error("table modes")
	}
	if (Config{LoadMethod: LoadMerge}).TableDeleteMode(TableSpec{}) != DeleteKeep {
		t.Error("a run recorded before delete modes must keep")
	}
}
