package syncspec

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseSchedule checks that ParseSchedule never panics and that every
// schedule it accepts fires, and no more often than every five minutes.
// The seeds are TestParseSchedule's, plus descriptors and the time-zone
// prefixes the cron parser would read.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"hourly", "every_4_hours", "weekly", "cron:0 3 * * *", "cron:*/15 * * * *", "cron:@daily",
		"cron:@every 1h", "cron:TZ=UTC 0 3 * * *", "cron:CRON_TZ=Europe/Paris 0 3 * * 1-5",
		"", "monthly", "Daily", "cron:", "cron:61 * * * *", "cron:* * * * *", "cron:not cron", "cron:0 0 30 2 *"} {
		f.Add(s)
	}
	from := time.Date(2026, 1, 1, 7, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		sched, err := ParseSchedule(s)
		if err != nil {
			return
		}
		prev := sched.Next(from)
		if !prev.After(from) {
			t.Fatalf("ParseSchedule(%q) accepted a schedule that does not fire after %s", s, from)
		}
		for range 300 {
			next := sched.Next(prev)
			if next.Sub(prev) < 5*time.Minute {
				t.Fatalf("ParseSchedule(%q) accepted a schedule that fires at %s, then %s", s, prev, next)
			}
			prev = next
		}
	})
}

// FuzzParseTableSelector checks that ParseTableSelector never panics and
// that an accepted selector keeps its text, names a plain schema, and, when
// it is not a glob, matches exactly the table it names.
func FuzzParseTableSelector(f *testing.F) {
	for _, s := range []string{"public.*", "public.users", "public.order_*", "public.[a-c]?x", "a.b.c",
		"", "users", ".users", "public.", "*.users", "public.[", "p.\\", "public.[]a]"} {
		f.Add(s, "users")
	}
	f.Fuzz(func(t *testing.T, s, table string) {
		sel, err := ParseTableSelector(s)
		if err != nil {
			return
		}
		if sel.String() != s || sel.Schema == "" || sel.Pattern == "" || strings.ContainsAny(sel.Schema, "*?[]") {
			t.Fatalf("ParseTableSelector(%q) = %+v", s, sel)
		}
		if !sel.IsGlob() && sel.Matches(sel.Schema, table) != (table == sel.Pattern) {
			t.Fatalf("exact selector %q matches %q: %v", s, table, sel.Matches(sel.Schema, table))
		}
	})
}

// FuzzDestTableName checks that every source name becomes a lake identifier.
func FuzzDestTableName(f *testing.F) {
	for _, s := range []string{"Order Items-2024", "2024sales", "", "ünïcødé", strings.Repeat("x", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := DestTableName(s); !ValidIdentifier(got) {
			t.Fatalf("DestTableName(%q) = %q, not a valid identifier", s, got)
		}
	})
}
