// Package postgres connects to PostgreSQL and, with a few differences, to
// Amazon Redshift, which speaks the same wire protocol.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func init() {
	connectors.Register("postgres", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c, false)
	})
	connectors.Register("redshift", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c, true)
	})
}

// connectTimeout bounds dialing and authentication so a black-holed host fails fast.
const connectTimeout = 10 * time.Second

// Connector is a PostgreSQL (or Redshift) connection, opened on first use.
type Connector struct {
	creds    connectors.Credentials
	config   *pgx.ConnConfig
	redshift bool
	conn     *pgx.Conn
}

var (
	_ connectors.Connector = (*Connector)(nil)
	_ connectors.Validator = (*Connector)(nil)
)

// New builds a connector from credentials without connecting.
func New(creds connectors.Credentials, redshift bool) (*Connector, error) {
	cfg, err := connConfig(creds)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	return &Connector{creds: creds, config: cfg, redshift: redshift}, nil
}

// connConfig builds the pgx configuration field by field, so that nothing is
// taken from the server process's environment (PGPASSWORD, ~/.pgpass, PGSERVICE).
func connConfig(creds connectors.Credentials) (*pgx.ConnConfig, error) {
	port := creds.Int("port", 5432)
	sslmode := creds.String("sslmode")
	if sslmode == "" {
		sslmode = "prefer"
	}
	u := url.URL{
		Scheme:   "postgres",
		Host:     net.JoinHostPort(creds.String("host"), strconv.Itoa(port)),
		Path:     "/" + creds.String("database"),
		RawQuery: url.Values{"sslmode": {sslmode}, "application_name": {"sluice"}}.Encode(),
	}
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("build connection config: %w", err)
	}
	cfg.User = creds.String("username")
	cfg.Password = creds.String("password")
	cfg.Database = creds.String("database")
	cfg.ConnectTimeout = connectTimeout
	// Every address is resolved and checked by the network guard, then dialed by it.
	cfg.LookupFunc = netguard.LookupHost
	cfg.DialFunc = netguard.DialContext
	for _, fb := range cfg.Fallbacks {
		fb.Host, fb.Port = cfg.Host, cfg.Port
	}
	return cfg, nil
}

// connection returns the open connection, connecting on first use.
func (c *Connector) connection(ctx context.Context) (*pgx.Conn, error) {
	if c.conn != nil && !c.conn.IsClosed() {
		return c.conn, nil
	}
	conn, err := pgx.ConnectConfig(ctx, c.config)
	if err != nil {
		return nil, connectors.NewStepError(connectStep(err), conciseConnectError(err), c.creds)
	}
	c.conn = conn
	return conn, nil
}

// Close closes the connection if one was opened.
func (c *Connector) Close(ctx context.Context) error {
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close(ctx)
	c.conn = nil
	return err
}

// conciseConnectError keeps the server's own message when there is one; pgx
// otherwise repeats the failure once per address and TLS fallback.
func conciseConnectError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("%s: %s (SQLSTATE %s)", pgErr.Severity, pgErr.Message, pgErr.Code)
	}
	msg := strings.ReplaceAll(err.Error(), "\n\t", "; ")
	return errors.New(strings.ReplaceAll(msg, "\n", "; "))
}

// connectStep tells a refused login apart from an unreachable server.
func connectStep(err error) string {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		code := pgErr.SQLState()
		if len(code) == 5 && code[:2] == "28" { // class 28: invalid authorization specification
			return connectors.StepAuthenticate
		}
	}
	return connectors.StepConnect
}
