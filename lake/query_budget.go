package lake

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// A lake query's answer is bounded like a source's (connectors.ResultBuilder):
// rows are scanned one by one and the answer stops at the byte budget. Text,
// JSON and blob values are cut by DuckDB itself, inside the query, before
// they are copied into Go: the statement is described, then run wrapped in a
// projection that keeps one byte past the cap (so the cut is seen). What is
// left: DuckDB builds a value whole before the projection cuts it, within
// its own memory (sandbox macros refuse the obvious builders, see
// sandbox_guard.go); lists, structs and maps are cut only after scanning.

// cappedQuery wraps query so that long text, JSON and blob values are cut to
// valueCap+1 bytes by DuckDB; a query it cannot describe runs as written.
func cappedQuery(ctx context.Context, conn *sql.Conn, query string, valueCap int) string {
	body := strings.TrimRight(strings.TrimSpace(query), "; \t\r\n")
	rows, err := conn.QueryContext(ctx, "DESCRIBE "+body)
	if err != nil {
		return query
	}
	defer rows.Close()
	var names, types []string
	for rows.Next() {
		var name, typ string
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
			return query
		}
		names, types = append(names, name), append(types, typ)
	}
	if rows.Err() != nil || len(names) == 0 {
		return query
	}
	limit := strconv.Itoa(valueCap + 1)
	aliases := make([]string, len(names))
	exprs := make([]string, len(names))
	needed := false
	for i, typ := range types {
		aliases[i] = "c" + strconv.Itoa(i+1)
		c := "sluice_q." + aliases[i]
		switch typ {
		case "VARCHAR":
			exprs[i], needed = fmt.Sprintf("left(%s, %s)", c, limit), true
		case "JSON":
			exprs[i], needed = fmt.Sprintf("CASE WHEN strlen(%[1]s::VARCHAR) > %[2]d THEN to_json(left(%[1]s::VARCHAR, %[3]s)) ELSE %[1]s END", c, valueCap, limit), true
		case "BLOB":
			exprs[i], needed = fmt.Sprintf("%s[1:%s]", c, limit), true
		default:
			exprs[i] = c
		}
		exprs[i] += " AS " + quoteIdent(names[i])
	}
	if !needed {
		return query
	}
	return fmt.Sprintf("SELECT %s FROM (\n%s\n) AS sluice_q(%s)", strings.Join(exprs, ", "), body, strings.Join(aliases, ", "))
}

// collectCapped reads rows under opts' row limit, byte budget and value cap.
func collectCapped(rows *sql.Rows, opts connectors.QueryOptions) (*connectors.ResultSet, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]connectors.ResultColumn, len(types))
	kinds := make([]connectors.Type, len(types))
	for i, ct := range types {
		kinds[i] = resultType(ct.DatabaseTypeName())
		cols[i] = connectors.ResultColumn{Name: ct.Name(), Type: kinds[i], SourceType: ct.DatabaseTypeName()}
	}
	b := connectors.NewResultBuilder(cols, opts)
	for rows.Next() && b.Room() {
		values := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range values {
			values[i] = normalize(v, kinds[i])
		}
		if !b.Add(values) {
			break
		}
	}
	return b.Result(), rows.Err()
}
