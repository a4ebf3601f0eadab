package snowflake

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// Validate logs in (which also checks the role, warehouse and database),
// asks for the version, and lists the schemas the role can see. Listing them
// reads INFORMATION_SCHEMA, which needs the warehouse, so it also proves the
// role may use it.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	conn, err := c.conn(ctx)
	if err != nil {
		return connectors.ValidationReport{}, err
	}
	defer conn.Close()
	var report connectors.ValidationReport
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT CURRENT_VERSION()").Scan(&version); err != nil {
		return report, connectors.NewStepError(connectors.StepQuery, err, c.creds)
	}
	report.ServerVersion = "Snowflake " + version
	err = c.scanRows(ctx, `SELECT schema_name FROM information_schema.schemata
		WHERE schema_name <> 'INFORMATION_SCHEMA' ORDER BY schema_name`, nil, func(rows *sql.Rows) error {
		var name string
		err := rows.Scan(&name)
		report.Schemas = append(report.Schemas, name)
		return err
	})
	if err != nil {
		return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	if len(report.Schemas) == 0 {
		return report, &connectors.StepError{Step: connectors.StepPermissions,
			Message: fmt.Sprintf("role %q can see no schema of database %q", c.cfg.Role, c.cfg.Database)}
	}
	report.Elapsed = time.Since(start)
	return report, nil
}
