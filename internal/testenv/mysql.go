package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// plainPassword is what MySQLUser accepts: it is written into CREATE USER.
var plainPassword = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// MySQLUser creates, on the local MariaDB server, a database with one table
// and a user that logs in with password and may read it, drops both when the
// test ends and returns credentials for the user in the seed's shape. Unlike
// MySQLCredentials' root login it has a password that is checked, for tests
// about secrets.
func MySQLUser(t testing.TB, password string) map[string]any {
	t.Helper()
	if !plainPassword.MatchString(password) {
		t.Fatalf("MySQLUser: the password must match %s", plainPassword)
	}
	root := MySQLCredentials()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net = root["username"].(string), os.Getenv("SLUICE_TEST_MYSQL_PASSWORD"), "tcp"
	cfg.Addr = net.JoinHostPort(root["host"].(string), root["port"].(string))
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open MariaDB: %v", err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	name := "fx_" + randomHex(5)
	t.Cleanup(func() {
		for _, q := range []string{"DROP DATABASE IF EXISTS " + name, "DROP USER IF EXISTS " + name + "@'%'", "DROP USER IF EXISTS " + name + "@localhost"} {
			if _, err := admin.Exec(q); err != nil {
				t.Errorf("drop MariaDB fixture: %s: %v", q, err)
			}
		}
	})
	statements := []string{
		"CREATE DATABASE " + name,
		// Both hosts, or an anonymous ''@localhost account would match first.
		fmt.Sprintf("CREATE USER %s@'%%' IDENTIFIED BY '%s'", name, password),
		fmt.Sprintf("CREATE USER %s@localhost IDENTIFIED BY '%s'", name, password),
		fmt.Sprintf("GRANT SELECT ON %s.* TO %s@'%%'", name, name),
		fmt.Sprintf("GRANT SELECT ON %s.* TO %s@localhost", name, name),
		"CREATE TABLE " + name + ".probe (id int PRIMARY KEY)",
	}
	for _, q := range statements {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("MariaDB fixture: %v", err)
		}
	}
	creds := MySQLCredentials()
	creds["database"], creds["username"], creds["password"] = name, name, password
	return creds
}
