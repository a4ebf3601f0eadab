// Package all registers every connector sluice ships. Binaries and tests that
// open connectors by type import it for its side effects.
package all

import (
	_ "github.com/sluice-dev/sluice/connectors/bigquery"  // registers "bigquery"
	_ "github.com/sluice-dev/sluice/connectors/cube"      // registers "cube"
	_ "github.com/sluice-dev/sluice/connectors/mysql"     // registers "mysql"
	_ "github.com/sluice-dev/sluice/connectors/postgres"  // registers "postgres" and "redshift"
	_ "github.com/sluice-dev/sluice/connectors/snowflake" // registers "snowflake"
	_ "github.com/sluice-dev/sluice/connectors/sqlserver" // registers "sqlserver"
	_ "github.com/sluice-dev/sluice/connectors/stripe"    // registers "stripe"
)
