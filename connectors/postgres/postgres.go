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
	"github.com/jackc/pgx/v5/pgxpool"

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

// maxConns bounds what one integration may take from its source.
const maxConns = 4

// Connector is a small connection pool on a PostgreSQL (or Redshift)
// database; connections are opened on first use.
type Connector struct {
	creds    connectors.Credentials
	config   *pgxpool.Config
	redshift bool
	pool     *pgxpool.Pool
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Querier    = (*Connector)(nil)
	_ connectors.DialectOf  = (*Connector)(nil)
)

// New builds a connector from credentials without connecting.
func New(creds connectors.Credentials, redshift bool) (*Connector, error) {
	cfg, err := poolConfig(creds)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	if !redshift {
		// Redshift has neither DISCARD nor advisory locks, and a query's
		// SET statement_timeout is undone with its rolled-back transaction.
		cfg.AfterRelease = resetSession
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	return &Connector{creds: creds, config: cfg, redshift: redshift, pool: pool}, nil
}

// poolConfig builds the pgx configuration field by field, so that nothing is
// taken from the server process's environment (PGPASSWORD, ~/.pgpass, PGSERVICE).
func poolConfig(creds connectors.Credentials) (*pgxpool.Config, error) {
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
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("build connection config: %w", err)
	}
	cc := cfg.ConnConfig
	cc.User = creds.String("username")
	cc.Password = creds.String("password")
	cc.Database = creds.String("database")
	cc.ConnectTimeout = connectTimeout
	// UTF-8 whatever the source's role or database defaults say: values
	// are read as bytes and may be written back into a COPY statement
	// (see quoteLiteral), and in an encoding such as SJIS a backslash byte
	// can be the second byte of a character.
	cc.RuntimeParams["client_encoding"] = "UTF8"
	// Every address is resolved and checked by the network guard, then dialed
	// by it. One Dialer per pool: pgx looks the host up once per TLS fallback
	// and per new connection, and each of those lookups must answer what the
	// first one checked. It knows the database so that sluice's own database
	// is refused while another database on the same server is not.
	guard := &netguard.Dialer{Database: cc.Database}
	cc.LookupFunc = guard.LookupHost
	cc.DialFunc = guard.DialContext
	for _, fb := range cc.Fallbacks {
		fb.Host, fb.Port = cc.Host, cc.Port
	}
	cfg.MaxConns = maxConns
	cfg.MaxConnIdleTime = 2 * time.Minute
	return cfg, nil
}

// Dialect reports the SQL dialect.
func (c *Connector) Dialect() connectors.Dialect {
	if c.redshift {
		return connectors.DialectRedshift
	}
	return connectors.DialectPostgres
}

// acquire takes a connection from the pool, classifying a failure to connect.
func (c *Connector) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := c.pool.Acquire(ctx)
	if err != nil {
		return nil, connectors.NewStepError(connectStep(err), conciseConnectError(err), c.creds)
	}
	return conn, nil
}

// Close closes the pool.
func (c *Connector) Close(ctx context.Context) error {
	c.pool.Close()
	return nil
}

// conciseConnectError keeps the server's own message when there is one; pgx
// otherwise repeats the failure once per address and TLS fallback.
func conciseConnectError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return fmt.Errorf("%s: %s (SQLSTATE %s)", pgErr.Severity, pgErr.Message, pgErr.Code)
	}
	msg := strings.ReplaceAll(err.Error(), "\n\t", "; ")
	msg = strings.ReplaceAll(msg, "\n", "; ")
	if strings.Contains(msg, "received unexpected message") {
		// pgx wraps a nil error here and prints "%!w(<nil>)": the server sent
		// bytes that are not the Postgres protocol (MySQL's greeting, HTTP…).
		return fmt.Errorf("the server did not answer like a PostgreSQL server; check the host and port (is it another kind of database?): %s",
			strings.ReplaceAll(msg, ": %!w(<nil>)", ""))
	}
	return errors.New(msg)
}

// connectStep tells a refused login apart from an unreachable server.
func connectStep(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "28") { // invalid authorization
		return connectors.StepAuthenticate
	}
	return connectors.StepConnect
}

// rowsOf runs a catalog query and collects its rows with scan. A source
// it cannot reach is a connection QueryError, as it is for queries: a
// StepError belongs to validation.
func rowsOf[T any](ctx context.Context, c *Connector, sql string, scan func(pgx.CollectableRow) (T, error), args ...any) ([]T, error) {
	conn, err := c.acquire(ctx)
	if err != nil {
		return nil, asConnectionError(err)
	}
	defer conn.Release()
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	out, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, queryError(err, c.creds)
	}
	return out, nil
}
