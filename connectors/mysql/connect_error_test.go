package mysql_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// TestValidateAgainstANonMySQLServerSaysSo points a mysql integration at
// Postgres's port: the driver's own words ("invalid connection", "malformed
// packet") do not say that the server is not MySQL.
func TestValidateAgainstANonMySQLServerSaysSo(t *testing.T) {
	netguard.SetAllowPrivate(true)
	pg := conformance.PostgresServer()
	spec, _ := connectors.Lookup("mysql")
	config, secrets, err := spec.Normalize(map[string]any{"host": pg.Host, "port": pg.Port, "database": "x",
		"username": "root", "password": "x", "tls": "false"})
	if err != nil {
		t.Fatal(err)
	}
	v, closeFn, err := connectors.Open[connectors.Validator](context.Background(), "mysql", connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeFn(context.Background()) }()
	_, err = v.Validate(context.Background())
	var step *connectors.StepError
	if !errors.As(err, &step) {
		t.Fatalf("Validate against Postgres's port = %v, want a StepError", err)
	}
	t.Logf("message: %s", step.Message)
	if !strings.Contains(step.Message, "did not answer like a MySQL server") {
		t.Fatalf("message %q: want it to say the server did not answer like MySQL", step.Message)
	}
}
