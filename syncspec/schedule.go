// Package syncspec parses and validates what a sync configuration says: its
// schedule, its table selection and its destination names.
package syncspec

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule is a parsed schedule: a fixed interval or a cron expression.
type Schedule struct {
	// Text is the schedule as the user wrote it.
	Text string
	// Interval is set for the named schedules (hourly … weekly).
	Interval time.Duration
	// Cron is set for "cron:<expression>" schedules (five fields, UTC).
	Cron string
}

var namedSchedules = map[string]time.Duration{
	"hourly":         time.Hour,
	"every_4_hours":  4 * time.Hour,
	"every_6_hours":  6 * time.Hour,
	"every_12_hours": 12 * time.Hour,
	"daily":          24 * time.Hour,
	"weekly":         7 * 24 * time.Hour,
}

// ScheduleNames lists the named schedules, for error messages.
const ScheduleNames = "hourly, every_4_hours, every_6_hours, every_12_hours, daily, weekly or cron:<expression>"

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule parses a schedule, explaining what is wrong when it is not one.
func ParseSchedule(s string) (Schedule, error) {
	if d, ok := namedSchedules[s]; ok {
		return Schedule{Text: s, Interval: d}, nil
	}
	expr, ok := strings.CutPrefix(s, "cron:")
	if !ok {
		return Schedule{}, fmt.Errorf("unknown schedule %q: use %s", s, ScheduleNames)
	}
	expr = strings.TrimSpace(expr)
	if len(expr) > 200 {
		return Schedule{}, fmt.Errorf("cron expression is longer than 200 characters")
	}
	// Schedules run in UTC; the cron parser would also read a zone prefix,
	// and panics on one that no space follows.
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return Schedule{}, fmt.Errorf("cron expression %q: time zone prefixes are not supported; schedules run in UTC", expr)
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return Schedule{}, fmt.Errorf("cron expression %q: %v", expr, err)
	}
	// A schedule that fires more often than every five minutes would keep a
	// source busy and the history unreadable. Firings are compared pairwise
	// from just before a midnight, so a day's first firing counts, for more
	// than a day of once-a-minute firings: "0,1 0 * * *" is two a minute apart.
	prev := sched.Next(time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC))
	if prev.IsZero() {
		return Schedule{}, fmt.Errorf("cron expression %q never fires", expr)
	}
	for range minGapFirings {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		if next.Sub(prev) < 5*time.Minute {
			return Schedule{}, fmt.Errorf("cron expression %q fires more often than every 5 minutes", expr)
		}
		prev = next
	}
	return Schedule{Text: s, Cron: expr}, nil
}

// minGapFirings is how many firings ParseSchedule compares.
const minGapFirings = 1500

// Next returns the first time after t the schedule fires, as sluice
// computes it (Temporal's Schedule is the authority once created).
func (s Schedule) Next(t time.Time) time.Time {
	if s.Cron != "" {
		sched, err := cronParser.Parse(s.Cron)
		if err != nil {
			return time.Time{}
		}
		return sched.Next(t.UTC())
	}
	// Temporal aligns interval schedules to the Unix epoch (a Thursday, which
	// matters for weekly), not to Go's zero time as time.Truncate does.
	epoch := time.Unix(0, 0).UTC()
	return epoch.Add((t.Sub(epoch)/s.Interval + 1) * s.Interval)
}
