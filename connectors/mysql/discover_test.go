package mysql_test

import (
	"context"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// TestTablesListOnlyTheNamedDatabase: with database: X, discovery listed the
// tables of every database the user could see; it lists X's unless the
// integration sets all_databases.
func TestTablesListOnlyTheNamedDatabase(t *testing.T) {
	netguard.SetAllowPrivate(true)
	my := conformance.MySQLServer()
	mine, other := conformance.NewSchemaName(), conformance.NewSchemaName()
	exec(t, "CREATE DATABASE "+mine+";\nCREATE TABLE "+mine+".a (id int);\nCREATE DATABASE "+other+";\nCREATE TABLE "+other+".b (id int)")
	t.Cleanup(func() { exec(t, "DROP DATABASE "+mine+";\nDROP DATABASE "+other) })
	schemas := func(all bool) map[string]bool {
		spec, _ := connectors.Lookup("mysql")
		config, secrets, err := spec.Normalize(map[string]any{"host": my.Host, "port": my.Port, "database": mine,
			"username": my.User, "password": my.Password, "tls": "false", "all_databases": all})
		if err != nil {
			t.Fatal(err)
		}
		d, closeFn, err := connectors.Open[connectors.Discoverer](context.Background(), "mysql", connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = closeFn(context.Background()) }()
		tables, err := d.Tables(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, tb := range tables {
			seen[tb.Schema] = true
		}
		return seen
	}
	if got := schemas(false); !got[mine] || got[other] || len(got) != 1 {
		t.Errorf("database %s: tables of %v, want only %s's", mine, got, mine)
	}
	if got := schemas(true); !got[mine] || !got[other] {
		t.Errorf("all_databases: tables of %v, want %s's and %s's", got, mine, other)
	}
}
