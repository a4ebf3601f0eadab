package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-dev/sluice/connectors"
)

// Validate connects, authenticates, runs a trivial query, refuses a
// superuser's credentials (unless allowed; see checkSuperuser) and lists the
// schemas the user may use.
func (c *Connector) Validate(ctx context.Context) (connectors.ValidationReport, error) {
	start := time.Now()
	conn, err := c.acquire(ctx)
	if err != nil {
		return connectors.ValidationReport{}, err
	}
	defer conn.Release()
	var report connectors.ValidationReport
	if err := conn.QueryRow(ctx, "SELECT version()").Scan(&report.ServerVersion); err != nil {
		return report, connectors.NewStepError(connectors.StepQuery, err, c.creds)
	}
	if err := c.checkSuperuser(ctx, conn, &report); err != nil {
		return report, err
	}
	rows, err := conn.Query(ctx, usableSchemasSQL)
	if err != nil {
		return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	schemas, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return report, connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	if len(schemas) == 0 {
		return report, &connectors.StepError{Step: connectors.StepPermissions,
			Message: fmt.Sprintf("user %q has USAGE on no schema of database %q", c.config.ConnConfig.User, c.config.ConnConfig.Database)}
	}
	report.Schemas = schemas
	report.Elapsed = time.Since(start)
	return report, nil
}

const usableSchemasSQL = `
SELECT nspname FROM pg_catalog.pg_namespace
WHERE has_schema_privilege(oid, 'USAGE')
  AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
ORDER BY nspname`
