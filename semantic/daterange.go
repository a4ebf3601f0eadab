package semantic

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Granularities a time dimension can be grouped by.
var granularities = map[string]bool{
	"second": true, "minute": true, "hour": true, "day": true,
	"week": true, "month": true, "quarter": true, "year": true,
}

// localLayout is how Cube writes local date-times in answers and normalized queries.
const localLayout = "2006-01-02T15:04:05.000"

// timeRange is an inclusive range of instants, both ends in the query's zone.
type timeRange struct {
	from, to time.Time
}

var (
	relThis    = regexp.MustCompile(`^(this|last|next) (second|minute|hour|day|week|month|quarter|year)$`)
	relLastN   = regexp.MustCompile(`^(last|next) (\d{1,5}) (second|minute|hour|day|week|month|quarter|year)s?$`)
	relFromTo  = regexp.MustCompile(`^from (.{1,60}) to (.{1,60})$`)
	relAgo     = regexp.MustCompile(`^(\d{1,5}) (second|minute|hour|day|week|month|quarter|year)s? (ago|from now)$`)
	spaces     = regexp.MustCompile(`\s+`)
	relExample = `"today", "yesterday", "tomorrow", "this|last|next <unit>", "last|next N <unit>s", ` +
		`"from N <unit>s ago to now", "from <date> to <date>" (units: second, minute, hour, day, week, month, quarter, year)`
)

// relativeRange resolves a relative phrase (Cube's REST API forms) at now,
// in now's zone. "last N units" and "next N units" exclude the current unit;
// "from … to …" includes both ends, to the day (or to the hour, minute or
// second when the phrase names one).
func relativeRange(phrase string, now time.Time) (timeRange, error) {
	p := spaces.ReplaceAllString(strings.ToLower(strings.TrimSpace(phrase)), " ")
	switch p {
	case "today":
		return period(now, "day", 0, 1), nil
	case "yesterday":
		return period(now, "day", -1, 1), nil
	case "tomorrow":
		return period(now, "day", 1, 1), nil
	}
	if m := relThis.FindStringSubmatch(p); m != nil {
		offset := map[string]int{"this": 0, "last": -1, "next": 1}[m[1]]
		return period(now, m[2], offset, 1), nil
	}
	if m := relLastN.FindStringSubmatch(p); m != nil {
		n, _ := strconv.Atoi(m[2])
		if n < 1 {
			return timeRange{}, fmt.Errorf("%q: the count must be at least 1", phrase)
		}
		if m[1] == "last" {
			return period(now, m[3], -n, n), nil
		}
		return period(now, m[3], 1, n), nil
	}
	if m := relFromTo.FindStringSubmatch(p); m != nil {
		unit := "day"
		for _, u := range []string{"second", "minute", "hour"} {
			if strings.Contains(p, u) {
				unit = u
			}
		}
		from, err := point(m[1], now)
		if err != nil {
			return timeRange{}, fmt.Errorf("%q: %v", phrase, err)
		}
		to, err := point(m[2], now)
		if err != nil {
			return timeRange{}, fmt.Errorf("%q: %v", phrase, err)
		}
		r := timeRange{from: startOf(from, unit), to: endOf(to, unit)}
		if r.to.Before(r.from) {
			return timeRange{}, fmt.Errorf("%q ends before it starts", phrase)
		}
		return r, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", p, now.Location()); err == nil {
		return timeRange{from: t, to: endOf(t, "day")}, nil
	}
	return timeRange{}, fmt.Errorf("%q is not a date range sluice understands; use a pair of dates or one of %s", phrase, relExample)
}

// point resolves one end of a "from … to …" phrase.
func point(s string, now time.Time) (time.Time, error) {
	switch s {
	case "now":
		return now, nil
	case "today":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	case "tomorrow":
		return now.AddDate(0, 0, 1), nil
	}
	if m := relAgo.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		if m[3] == "ago" {
			n = -n
		}
		return addUnits(now, m[2], n), nil
	}
	if t, err := parseLocal(s, now.Location()); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a point in time (want now, today, yesterday, tomorrow, N <unit>s ago, N <unit>s from now, or a date)", s)
}

// period is count units starting offset units from the one holding now.
func period(now time.Time, unit string, offset, count int) timeRange {
	start := addUnits(startOf(now, unit), unit, offset)
	end := addUnits(start, unit, count).Add(-time.Millisecond)
	return timeRange{from: start, to: end}
}

// startOf truncates t to the start of its unit, in t's zone; weeks start on Monday.
func startOf(t time.Time, unit string) time.Time {
	y, mo, d := t.Date()
	loc := t.Location()
	switch unit {
	case "second":
		return t.Truncate(time.Second)
	case "minute":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), 0, 0, loc)
	case "hour":
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, loc)
	case "day":
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case "week":
		back := (int(t.Weekday()) + 6) % 7
		return time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
	case "month":
		return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case "quarter":
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, loc)
	default: // year
		return time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
}

// endOf is the last millisecond of t's unit, as Cube pads range ends.
func endOf(t time.Time, unit string) time.Time {
	return addUnits(startOf(t, unit), unit, 1).Add(-time.Millisecond)
}

// addUnits moves t by n units. Months, quarters and years keep the day of
// the month where it exists and otherwise use the month's last day, so
// "1 month ago" on March 31 is the end of February, not March 3.
func addUnits(t time.Time, unit string, n int) time.Time {
	switch unit {
	case "second":
		return t.Add(time.Duration(n) * time.Second)
	case "minute":
		return t.Add(time.Duration(n) * time.Minute)
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "week":
		return t.AddDate(0, 0, 7*n)
	case "month":
		return addMonths(t, n)
	case "quarter":
		return addMonths(t, 3*n)
	default:
		return addMonths(t, 12*n)
	}
}

func addMonths(t time.Time, n int) time.Time {
	y, mo, d := t.Date()
	first := time.Date(y, mo+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return first.AddDate(0, 0, d-1)
}

// localLayouts are the date and date-time forms Cube accepts in dateRange and date filters.
var localLayouts = []string{
	"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02",
}

// parseLocal parses a date or date-time in loc; one with an explicit offset
// or Z keeps its own zone.
func parseLocal(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc), nil
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss.SSS)", s)
}

// isDateOnly reports whether s is a bare date, which is padded to the whole day.
func isDateOnly(s string) bool { return len(s) == len("2006-01-02") }

// absoluteRange resolves a dateRange pair (or single date): a bare end date
// is padded to the end of its day, as Cube does.
func absoluteRange(dates []string, loc *time.Location) (timeRange, error) {
	if len(dates) == 1 {
		dates = []string{dates[0], dates[0]}
	}
	from, err := parseLocal(dates[0], loc)
	if err != nil {
		return timeRange{}, err
	}
	to, err := parseLocal(dates[1], loc)
	if err != nil {
		return timeRange{}, err
	}
	if isDateOnly(dates[1]) {
		to = endOf(to, "day")
	}
	if to.Before(from) {
		return timeRange{}, fmt.Errorf("the range ends (%s) before it starts (%s)", dates[1], dates[0])
	}
	return timeRange{from: from, to: to}, nil
}

// resolveRange resolves a query's dateRange in loc at now.
func resolveRange(d DateRange, loc *time.Location, now time.Time) (timeRange, error) {
	// No dates means a phrase, even an empty one: "dateRange": "" has no
	// dates to index.
	if len(d.Dates) == 0 {
		return relativeRange(d.Relative, now.In(loc))
	}
	return absoluteRange(d.Dates, loc)
}
