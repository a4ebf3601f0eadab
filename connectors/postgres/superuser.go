package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-dev/sluice/connectors"
)

// superuserPowersSQL lists what the session's user can do beyond reading:
// superuser itself, or else membership (direct or inherited) in the roles
// that grant a superuser's reach into the server (a superuser is a member of
// every role, which would only repeat itself). Roles a server does not have
// (rds_superuser off RDS, the pg_* roles before Postgres 11) simply do not
// match.
const superuserPowersSQL = `
SELECT 'superuser' FROM pg_catalog.pg_roles WHERE rolname = current_user AND rolsuper
UNION ALL
SELECT 'member of ' || g.rolname FROM pg_catalog.pg_roles AS g
WHERE g.rolname IN ('rds_superuser', 'pg_write_server_files', 'pg_execute_server_program', 'pg_read_server_files')
  AND pg_catalog.pg_has_role(current_user, g.oid, 'MEMBER')
  AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)`

// redshiftSuperuserSQL is the same question on Redshift, which has neither
// pg_roles' rolsuper nor the pg_* roles: superusers are pg_user.usesuper.
const redshiftSuperuserSQL = `SELECT 'superuser' FROM pg_catalog.pg_user WHERE usename = current_user AND usesuper`

// checkSuperuser refuses (or, when allowed, warns about) credentials that
// are a superuser's; see connectors.SuperuserVerdict.
func (c *Connector) checkSuperuser(ctx context.Context, conn *pgxpool.Conn, report *connectors.ValidationReport) error {
	query := superuserPowersSQL
	if c.redshift {
		query = redshiftSuperuserSQL
	}
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	powers, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return connectors.NewStepError(connectors.StepPermissions, err, c.creds)
	}
	warning, err := connectors.SuperuserVerdict(c.config.ConnConfig.User, powers)
	if err != nil {
		return err
	}
	if warning != "" {
		report.Warnings = append(report.Warnings, warning)
	}
	return nil
}
