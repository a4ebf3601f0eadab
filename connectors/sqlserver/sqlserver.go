// Package sqlserver connects to Microsoft SQL Server and Azure SQL Database
// with the go-mssqldb driver.
package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func init() {
	connectors.Register("sqlserver", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c)
	})
}

// connectTimeout bounds dialing, TLS and login so a black-holed host fails fast.
const connectTimeout = 10 * time.Second

// maxConns bounds what one integration may take from its source.
const maxConns = 2

// Connector is a small connection pool on a SQL Server database; connections
// are opened on first use.
type Connector struct {
	creds connectors.Credentials
	cfg   msdsn.Config
	db    *sql.DB
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
	cfg, err := config(creds)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, err, creds)
	}
	connector := mssql.NewConnectorConfig(cfg)
	connector.Dialer = guardDialer{}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	return &Connector{creds: creds, cfg: cfg, db: db}, nil
}

// config builds the driver configuration from the driver's own URL form, so
// url.UserPassword and url.Values escape every value: a password holding ';',
// '}', '@' or '%' reaches the server unchanged and cannot add a keyword.
func config(creds connectors.Credentials) (msdsn.Config, error) {
	host := strings.TrimSpace(creds.String("host"))
	if host == "" {
		return msdsn.Config{}, errors.New("host is required")
	}
	// A named instance would be located through the SQL Server Browser (UDP
	// 1434); sluice connects to a TCP port it was given instead.
	if strings.ContainsAny(host, `\/`) {
		return msdsn.Config{}, fmt.Errorf("host %q names an instance or a path; give the server's host name and the instance's TCP port", host)
	}
	encrypt := creds.String("encrypt")
	if encrypt == "" {
		encrypt = "true"
	}
	query := url.Values{
		"database":               {creds.String("database")},
		"encrypt":                {encrypt},
		"TrustServerCertificate": {strconv.FormatBool(creds.Bool("trust_server_certificate", false))},
		"app name":               {"sluice"},
		"dial timeout":           {strconv.Itoa(int(connectTimeout / time.Second))},
		// Read-only intent routes to a readable secondary of an availability
		// group (or an Azure SQL read replica, which refuses writes) when there
		// is one; elsewhere SQL Server ignores it.
		"ApplicationIntent": {"ReadOnly"},
	}
	u := url.URL{
		Scheme:   "sqlserver",
		User:     url.UserPassword(creds.String("username"), creds.String("password")),
		Host:     net.JoinHostPort(host, strconv.Itoa(creds.Int("port", 1433))),
		RawQuery: query.Encode(),
	}
	cfg, err := msdsn.Parse(u.String())
	if err != nil {
		return msdsn.Config{}, fmt.Errorf("build connection config: %w", err)
	}
	return cfg, nil
}

// guardDialer makes the driver dial through the network guard. It is a
// HostDialer, so the driver hands it the host name unresolved and the guard
// resolves and checks it (the driver would otherwise resolve names itself).
type guardDialer struct{}

// DialContext dials address through the network guard.
func (guardDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return netguard.DialContext(ctx, network, address)
}

// HostName tells the driver that name resolution happens in the dialer.
func (guardDialer) HostName() string { return "netguard" }

var _ mssql.HostDialer = guardDialer{}

// Close closes the pool.
func (c *Connector) Close(ctx context.Context) error { return c.db.Close() }

// Dialect reports that the connector speaks T-SQL.
func (c *Connector) Dialect() connectors.Dialect { return connectors.DialectSQLServer }

// conn takes a connection from the pool, logging in if needed, within
// connectTimeout.
func (c *Connector) conn(ctx context.Context) (*sql.Conn, error) {
	dialCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := c.db.Conn(dialCtx)
	if err != nil {
		return nil, connectors.NewStepError(loginStep(err), err, c.creds)
	}
	return conn, nil
}

// loginStep tells a refused login, and a login that may not open the
// database, apart from an unreachable server, by SQL Server error number.
func loginStep(err error) string {
	var msErr mssql.Error
	if errors.As(err, &msErr) {
		switch msErr.Number {
		case 18456, // login failed
			18452, // login from an untrusted domain
			18470, // account disabled
			18486, // account locked out
			18487, // password expired
			18488: // password must be changed
			return connectors.StepAuthenticate
		case 4060, // cannot open the database requested by the login
			916: // the login may not access the database
			return connectors.StepPermissions
		}
	}
	return connectors.StepConnect
}
