// Package mysql connects to MySQL and MariaDB.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

func init() {
	connectors.Register("mysql", func(ctx context.Context, c connectors.Credentials) (connectors.Connector, error) {
		return New(c)
	})
	// The driver prints connection noise with the standard logger; sluice logs
	// the errors it returns instead.
	_ = driver.SetLogger(log.New(discard{}, "", 0))
	driver.RegisterDialContext(guardedNet, func(ctx context.Context, addr string) (net.Conn, error) {
		conn, err := netguard.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return newBufferedConn(conn), nil
	})
}

// guardedNet is the driver network name that dials through the network guard.
const guardedNet = "sluice-guarded-tcp"

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

const connectTimeout = 10 * time.Second

// maxConns bounds what one integration may take from its source.
const maxConns = 4

// Connector is a small MySQL connection pool; connections open on first use.
type Connector struct {
	creds connectors.Credentials
	cfg   *driver.Config
	db    *sql.DB
}

var (
	_ connectors.Connector  = (*Connector)(nil)
	_ connectors.Validator  = (*Connector)(nil)
	_ connectors.Discoverer = (*Connector)(nil)
	_ connectors.Querier    = (*Connector)(nil)
	_ connectors.DialectOf  = (*Connector)(nil)
)

// Dialect reports the SQL dialect.
func (c *Connector) Dialect() connectors.Dialect { return connectors.DialectMySQL }

// New builds a connector from credentials without connecting.
func New(creds connectors.Credentials) (*Connector, error) {
	cfg := driver.NewConfig()
	cfg.User = creds.String("username")
	cfg.Passwd = creds.String("password")
	cfg.Net = guardedNet
	cfg.Addr = net.JoinHostPort(creds.String("host"), strconv.Itoa(creds.Int("port", 3306)))
	cfg.DBName = creds.String("database")
	cfg.Timeout = connectTimeout
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Params = map[string]string{"time_zone": "'+00:00'"} // TIMESTAMP values arrive in UTC
	cfg.TLSConfig = creds.String("tls")
	if cfg.TLSConfig == "" {
		cfg.TLSConfig = "preferred"
	}
	connector, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, connectors.NewStepError(connectors.StepConfig, fmt.Errorf("build connection config: %w", err), creds)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	return &Connector{creds: creds, cfg: cfg, db: db}, nil
}

// Close closes the pool.
func (c *Connector) Close(ctx context.Context) error { return c.db.Close() }

// stepOf classifies a connection error by MySQL error number.
func stepOf(err error) string {
	var myErr *driver.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		case 1045, 1698: // access denied for user
			return connectors.StepAuthenticate
		case 1044, 1142, 1227: // access denied to database, table or operation
			return connectors.StepPermissions
		}
	}
	return connectors.StepConnect
}
