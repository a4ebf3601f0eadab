package testenv

import "os"

// PostgresCredentials are credentials for the local Postgres server, in the
// seed's shape (port as a string). The server trusts local connections, so
// the password is accepted but not checked. They log in as ReaderRole, which
// may read every table and nothing more (created on first use), unless
// SLUICE_TEST_PG_USER names another user.
func PostgresCredentials(password string) map[string]any {
	user := os.Getenv("SLUICE_TEST_PG_USER")
	if user == "" {
		if err := ensureReaderRole(); err != nil {
			panic(err) // no test that needs a source can run without it
		}
		user = ReaderRole
	}
	return map[string]any{
		"host": env("SLUICE_TEST_PG_HOST", "127.0.0.1"), "port": env("SLUICE_TEST_PG_PORT", "5432"),
		"database": "postgres", "username": user, "password": password,
		"sslmode": "disable",
	}
}

// MySQLCredentials are credentials for the local MariaDB server (root with an
// empty password unless SLUICE_TEST_MYSQL_PASSWORD says otherwise).
func MySQLCredentials() map[string]any {
	return map[string]any{
		"host": env("SLUICE_TEST_MYSQL_HOST", "127.0.0.1"), "port": env("SLUICE_TEST_MYSQL_PORT", "3306"),
		"database": "test", "username": env("SLUICE_TEST_MYSQL_USER", "root"),
		"password": os.Getenv("SLUICE_TEST_MYSQL_PASSWORD"), "tls": "false",
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
