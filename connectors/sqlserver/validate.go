package sqlserver

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-dev/sluice/connectors"
)

// usableSchemasSQL lists the schemas where the user can read something: those
// it may SELECT from as a whole, and those holding a table or view it can see
// (sys.objects hides the rest). System schemas and the fixed database roles'
// schemas (ids from 16384) are left out.
const usableSchemasSQL = `
SELECT s.name FROM sys.schemas s
WHERE s.schema_id < 16384 AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA', N'guest')
  AND (HAS_PERMS_BY_NAME(QUOTENAME(s.name), 'SCHEMA', 'SELECT') = 1
       OR EXISTS (SELECT 1 FROM sys.objects o
                  WHERE o.schema_id = s.schema_id AND o.type IN ('U', 'V') AND o.is_ms_shipped = 0))
ORDER BY s.name`

// Validate connects, logs in, runs a trivial query and lists the schemas the
// user can read from.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	conn, err := c.conn(ctx)
	if err != nil {
		return connectors.ValidationReport{}, err
	}
	defer conn.Close()
	var report connectors.ValidationReport
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT @@VERSION").Scan(&version); err != nil {
		return report, connectors.NewStepError(connectors.StepQuery, err, c.creds)
	}
	// @@VERSION continues with copyright and OS lines; the first names the build.
	report.ServerVersion, _, _ = strings.Cut(version, "\n")
	report.ServerVersion = strings.TrimSpace(report.ServerVersion)
	err = c.scanRows(ctx, usableSchemasSQL, nil, func(rows *sql.Rows) error {
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
			Message: fmt.Sprintf("user %q can read no schema of database %q", c.cfg.User, c.cfg.Database)}
	}
	report.Elapsed = time.Since(start)
	return report, nil
}
