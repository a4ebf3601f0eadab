// Package snowflake connects to Snowflake with the gosnowflake driver,
// authenticating with a password or an RSA key pair.
//
// Snowflake has no read-only transaction. Queries rely on the read-only
// guard in front of the connector, a role with only read privileges (which
// the README recommends), a statement timeout and one statement per request.
package snowflake

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync/atomic"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// disablePlatformDetection is the driver's switch for probing cloud metadata
// services (169.254.169.254, metadata.google.internal) and AWS STS with the
// host's own identity on first connect, to report the platform to Snowflake.
// Those probes bypass the network guard, so sluice turns them off.
const disablePlatformDetection = "SNOWFLAKE_DISABLE_PLATFORM_DETECTION"

func init() {
	if os.Getenv(disablePlatformDetection) == "" {
		_ = os.Setenv(disablePlatformDetection, "true")
	}
	// The driver logs failures it also returns; sluice logs what it returns.
	_ = sf.GetLogger().SetLogLevel("off")
	connectors.Register("snowflake", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c)
	})
}

// maxConns bounds what one integration may take from its source; each
// connection is a Snowflake session.
const maxConns = 2

// Connector is a small pool of Snowflake sessions, opened on first use.
type Connector struct {
	creds connectors.Credentials
	cfg   *sf.Config
	db    *sql.DB
	// hostChecked records that the account's host passed the network guard.
	hostChecked atomic.Bool
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Querier    = (*Connector)(nil)
	_ connectors.Reader     = (*Connector)(nil)
	_ connectors.DialectOf  = (*Connector)(nil)
)

// New builds a connector from credentials without connecting.
func New(creds connectors.Credentials) (*Connector, error) {
	cfg, err := buildConfig(creds.String)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, *cfg))
	db.SetMaxOpenConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	return &Connector{creds: creds, cfg: cfg, db: db}, nil
}

// Close closes the sessions.
func (c *Connector) Close(ctx context.Context) error { return c.db.Close() }

// Dialect reports that the connector speaks Snowflake SQL.
func (c *Connector) Dialect() connectors.Dialect { return connectors.DialectSnowflake }

// conn takes a session from the pool, logging in if needed.
func (c *Connector) conn(ctx context.Context) (*sql.Conn, error) {
	loginCtx, cancel := context.WithTimeout(ctx, loginTimeout)
	defer cancel()
	// The driver retries a failed dial until the login timeout, so a host
	// the guard refuses (or that does not resolve) is checked up front to
	// fail at once. The transport still checks every dial.
	if !c.hostChecked.Load() {
		if _, err := netguard.Resolve(loginCtx, c.cfg.Host); err != nil {
			return nil, connectors.NewStepError(connectors.StepConnect, err, c.creds)
		}
		c.hostChecked.Store(true)
	}
	conn, err := c.db.Conn(loginCtx)
	if err != nil {
		return nil, connectors.NewStepError(loginStep(err), err, c.creds)
	}
	return conn, nil
}

// loginStep tells a refused login, and a login whose role, warehouse or
// database may not be used, apart from an unreachable account.
func loginStep(err error) string {
	var sfErr *sf.SnowflakeError
	if errors.As(err, &sfErr) {
		switch n := sfErr.Number; {
		case n == 390189, // the role is not granted to the user
			n >= 390201 && n <= 390299: // database, schema or warehouse missing or not authorized
			return connectors.StepPermissions
		case n >= 390100 && n <= 390199: // incorrect password, invalid JWT, locked user
			return connectors.StepAuthenticate
		}
	}
	return connectors.StepConnect
}
