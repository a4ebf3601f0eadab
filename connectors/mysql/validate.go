package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Validate connects, authenticates, runs a trivial query and lists the
// databases the user can see.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	var conn *sql.Conn
	err := c.connectConn(ctx, func(hctx context.Context) (err error) {
		conn, err = c.db.Conn(hctx)
		return err
	})
	if err != nil {
		return connectors.ValidationReport{}, connectors.NewStepError(stepOf(err), err, c.creds)
	}
	defer conn.Close()
	var report connectors.ValidationReport
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&report.ServerVersion); err != nil {
		return report, connectors.NewStepError(connectors.StepQuery, err, c.creds)
	}
	rows, err := conn.QueryContext(ctx, `SELECT schema_name FROM information_schema.schemata
		WHERE schema_name NOT IN ('information_schema', 'performance_schema', 'mysql', 'sys')
		ORDER BY schema_name`)
	if err != nil {
		return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
		}
		report.Schemas = append(report.Schemas, name)
	}
	if err := rows.Err(); err != nil {
		return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	if len(report.Schemas) == 0 {
		return report, &connectors.StepError{Step: connectors.StepPermissions,
			Message: fmt.Sprintf("user %q can see no database", c.cfg.User)}
	}
	report.Elapsed = time.Since(start)
	return report, nil
}
