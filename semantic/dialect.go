package semantic

import (
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// dialect is what differs between the SQL the compiler writes for each
// database: quoting, literals, time zones, date truncation and limits.
type dialect struct {
	name connectors.Dialect
	// quote is the identifier quote pair.
	openQuote, closeQuote string
	// backslashEscapes: the dialect reads \ inside '…' as an escape.
	backslashEscapes bool
}

// dialectFor returns the dialect of name, or an error naming the ones supported.
func dialectFor(name connectors.Dialect) (*dialect, error) {
	switch name {
	case connectors.DialectPostgres, connectors.DialectDuckDB:
		return &dialect{name: name, openQuote: `"`, closeQuote: `"`}, nil
	case connectors.DialectRedshift, connectors.DialectSnowflake:
		return &dialect{name: name, openQuote: `"`, closeQuote: `"`, backslashEscapes: true}, nil
	case connectors.DialectMySQL, connectors.DialectBigQuery:
		return &dialect{name: name, openQuote: "`", closeQuote: "`", backslashEscapes: true}, nil
	case connectors.DialectSQLServer:
		return &dialect{name: name, openQuote: "[", closeQuote: "]"}, nil
	}
	return nil, fmt.Errorf("cube queries cannot be compiled for the %q dialect", name)
}

// Supports reports whether cube queries can be compiled for the dialect.
func Supports(name connectors.Dialect) bool {
	_, err := dialectFor(name)
	return err == nil
}

// quote quotes an identifier, doubling the closing quote character inside it.
func (d *dialect) quote(name string) string {
	return d.openQuote + strings.ReplaceAll(name, d.closeQuote, d.closeQuote+d.closeQuote) + d.closeQuote
}

// str writes a string literal. Where the dialect reads backslash escapes
// (or, for Postgres, may: standard_conforming_strings can be off) the
// literal is written so that every reading gives back s.
func (d *dialect) str(s string) string {
	quoted := strings.ReplaceAll(s, "'", "''")
	switch {
	case d.name == connectors.DialectPostgres && strings.Contains(s, `\`):
		return "E'" + strings.ReplaceAll(quoted, `\`, `\\`) + "'"
	case d.name == connectors.DialectBigQuery:
		return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
	case d.backslashEscapes:
		return "'" + strings.ReplaceAll(quoted, `\`, `\\`) + "'"
	case d.name == connectors.DialectSQLServer:
		return "N'" + quoted + "'"
	}
	return "'" + quoted + "'"
}

// timestamp writes an instant as a literal comparable with the source's
// timestamp columns, which Cube (and sluice) take to hold UTC.
func (d *dialect) timestamp(t time.Time) string {
	u := t.UTC()
	iso := u.Format("2006-01-02T15:04:05.000Z")
	plain := u.Format("2006-01-02 15:04:05.000")
	switch d.name {
	case connectors.DialectPostgres, connectors.DialectRedshift, connectors.DialectDuckDB:
		return "'" + iso + "'::timestamptz"
	case connectors.DialectSnowflake:
		return "'" + iso + "'::timestamp_tz"
	case connectors.DialectMySQL:
		return "TIMESTAMP('" + plain + "')"
	case connectors.DialectBigQuery:
		return "TIMESTAMP('" + iso + "')"
	default: // sqlserver
		return "CAST('" + u.Format("2006-01-02T15:04:05.000") + "' AS datetime2)"
	}
}

// boolean writes a boolean literal.
func (d *dialect) boolean(b bool) string {
	if d.name == connectors.DialectSQLServer {
		if b {
			return "1"
		}
		return "0"
	}
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// inZone converts a UTC timestamp expression to local time in loc, for
// grouping. MySQL and SQL Server get the zone's offset at now (as Cube
// does): their named-zone support needs tables a server may not have.
func (d *dialect) inZone(expr string, loc *time.Location, now time.Time) string {
	name := loc.String()
	switch d.name {
	case connectors.DialectPostgres:
		return fmt.Sprintf("(%s::timestamptz AT TIME ZONE %s)", expr, d.str(name))
	case connectors.DialectRedshift:
		return fmt.Sprintf("CONVERT_TIMEZONE(%s, %s)", d.str(name), expr)
	case connectors.DialectDuckDB:
		return fmt.Sprintf("timezone(%s, %s::timestamptz)", d.str(name), expr)
	case connectors.DialectSnowflake:
		return fmt.Sprintf("CONVERT_TIMEZONE(%s, %s::timestamp_tz)::timestamp_ntz", d.str(name), expr)
	case connectors.DialectBigQuery:
		return fmt.Sprintf("DATETIME(%s, %s)", expr, d.str(name))
	}
	_, offset := now.In(loc).Zone()
	if offset == 0 {
		return expr
	}
	if d.name == connectors.DialectMySQL {
		sign, o := "+", offset
		if o < 0 {
			sign, o = "-", -o
		}
		return fmt.Sprintf("CONVERT_TZ(%s, '+00:00', '%s%02d:%02d')", expr, sign, o/3600, o%3600/60)
	}
	return fmt.Sprintf("DATEADD(minute, %d, %s)", offset/60, expr)
}

// truncate truncates a local timestamp expression to a granularity; weeks start on Monday.
func (d *dialect) truncate(expr, gran string) string {
	switch d.name {
	case connectors.DialectPostgres, connectors.DialectRedshift, connectors.DialectDuckDB, connectors.DialectSnowflake:
		return fmt.Sprintf("date_trunc('%s', %s)", gran, expr)
	case connectors.DialectBigQuery:
		unit := strings.ToUpper(gran)
		if gran == "week" {
			unit = "WEEK(MONDAY)"
		}
		return fmt.Sprintf("DATETIME_TRUNC(%s, %s)", expr, unit)
	case connectors.DialectMySQL:
		return mysqlTruncate(expr, gran)
	}
	return sqlServerTruncate(expr, gran)
}

func mysqlTruncate(expr, gran string) string {
	formats := map[string]string{
		"second": "%Y-%m-%d %H:%i:%s", "minute": "%Y-%m-%d %H:%i:00", "hour": "%Y-%m-%d %H:00:00",
		"day": "%Y-%m-%d 00:00:00", "month": "%Y-%m-01 00:00:00", "year": "%Y-01-01 00:00:00",
	}
	switch gran {
	case "week":
		return fmt.Sprintf("TIMESTAMP(DATE_SUB(DATE(%s), INTERVAL WEEKDAY(%s) DAY))", expr, expr)
	case "quarter":
		return fmt.Sprintf("TIMESTAMP(MAKEDATE(YEAR(%s), 1) + INTERVAL (QUARTER(%s) - 1) QUARTER)", expr, expr)
	}
	return fmt.Sprintf("TIMESTAMP(DATE_FORMAT(%s, '%s'))", expr, formats[gran])
}

func sqlServerTruncate(expr, gran string) string {
	switch gran {
	case "second":
		return fmt.Sprintf("DATEADD(second, DATEDIFF(second, '2000-01-01', %s), CAST('2000-01-01' AS datetime2))", expr)
	case "week":
		// DATEDIFF counts from 1900-01-01, a Monday; day arithmetic keeps it independent of DATEFIRST.
		return fmt.Sprintf("DATEADD(day, (DATEDIFF(day, 0, %s) / 7) * 7, CAST('1900-01-01' AS datetime2))", expr)
	}
	return fmt.Sprintf("DATEADD(%s, DATEDIFF(%s, 0, %s), CAST('1900-01-01' AS datetime2))", gran, gran, expr)
}

// like writes a case-insensitive match of a pattern whose literal part was
// escaped with likeEscape: \ escapes %, _ and itself in every dialect.
func (d *dialect) like(expr, pattern string, negate bool) string {
	not := ""
	if negate {
		not = "NOT "
	}
	escape := " ESCAPE " + d.str(`\`)
	switch d.name {
	case connectors.DialectPostgres, connectors.DialectRedshift, connectors.DialectDuckDB, connectors.DialectSnowflake:
		return fmt.Sprintf("%s %sILIKE %s%s", expr, not, d.str(pattern), escape)
	case connectors.DialectBigQuery:
		// GoogleSQL has no ESCAPE clause; \ is its fixed escape character.
		return fmt.Sprintf("LOWER(%s) %sLIKE %s", expr, not, d.str(strings.ToLower(pattern)))
	}
	// MySQL and SQL Server compare case-insensitively under their default collations.
	return fmt.Sprintf("%s %sLIKE %s%s", expr, not, d.str(pattern), escape)
}

// likeEscape makes s match only itself inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// approxCountDistinct writes the dialect's approximate distinct count, or an
// exact one where there is none.
func (d *dialect) approxCountDistinct(expr string) string {
	switch d.name {
	case connectors.DialectRedshift:
		return fmt.Sprintf("APPROXIMATE COUNT(DISTINCT %s)", expr)
	case connectors.DialectBigQuery, connectors.DialectSnowflake, connectors.DialectSQLServer:
		return fmt.Sprintf("APPROX_COUNT_DISTINCT(%s)", expr)
	case connectors.DialectDuckDB:
		return fmt.Sprintf("approx_count_distinct(%s)", expr)
	}
	return fmt.Sprintf("COUNT(DISTINCT %s)", expr)
}

// limit appends the row limit and offset; SQL Server needs an ORDER BY for them.
func (d *dialect) limit(b *strings.Builder, ordered bool, limit, offset int) {
	if d.name == connectors.DialectSQLServer {
		if !ordered {
			b.WriteString("\nORDER BY (SELECT NULL)")
		}
		fmt.Fprintf(b, "\nOFFSET %d ROWS FETCH NEXT %d ROWS ONLY", offset, limit)
		return
	}
	fmt.Fprintf(b, "\nLIMIT %d", limit)
	if offset > 0 {
		fmt.Fprintf(b, " OFFSET %d", offset)
	}
}
