package conformance

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
)

// Server is a database server the test environment names.
type Server struct {
	Host, Port, User, Password string
}

// PostgresServer is the Postgres server the tests use, named as
// internal/testenv names it: SLUICE_TEST_PG_HOST, SLUICE_TEST_PG_PORT and
// SLUICE_TEST_PG_USER (127.0.0.1, 5432 and postgres unless set). The local
// server trusts local connections, so there is no password.
func PostgresServer() Server {
	return Server{Host: env("SLUICE_TEST_PG_HOST", "127.0.0.1"), Port: env("SLUICE_TEST_PG_PORT", "5432"),
		User: env("SLUICE_TEST_PG_USER", "postgres")}
}

// MySQLServer is the MariaDB (or MySQL) server the tests use:
// SLUICE_TEST_MYSQL_HOST, SLUICE_TEST_MYSQL_PORT, SLUICE_TEST_MYSQL_USER and
// SLUICE_TEST_MYSQL_PASSWORD (127.0.0.1, 3306, root and none unless set).
func MySQLServer() Server {
	return Server{Host: env("SLUICE_TEST_MYSQL_HOST", "127.0.0.1"), Port: env("SLUICE_TEST_MYSQL_PORT", "3306"),
		User: env("SLUICE_TEST_MYSQL_USER", "root"), Password: os.Getenv("SLUICE_TEST_MYSQL_PASSWORD")}
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, s.Port) }

// PostgresURL is a connection URL for the server's database db.
func (s Server) PostgresURL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(s.User), Host: s.Addr(), Path: "/" + db, RawQuery: "sslmode=disable"}
	if s.Password != "" {
		u.User = url.UserPassword(s.User, s.Password)
	}
	return u.String()
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// NewSchemaName is a fresh name for a fixture's schema (or database, or
// dataset): conf_ and eight random hex digits.
func NewSchemaName() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "conf_" + hex.EncodeToString(b)
}
