package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/connectors/conformance"
	"github.com/sluice-dev/sluice/netguard"
)

// TestValidateAgainstANonPostgresServerSaysSo points a postgres integration
// at MariaDB's port: pgx's own message is "received unexpected message:
// %!w(<nil>)", a formatting bug that tells the user nothing.
func TestValidateAgainstANonPostgresServerSaysSo(t *testing.T) {
	netguard.SetAllowPrivate(true)
	my := conformance.MySQLServer()
	spec, _ := connectors.Lookup("postgres")
	config, secrets, err := spec.Normalize(map[string]any{"host": my.Host, "port": my.Port, "database": "postgres",
		"username": "postgres", "password": "x", "sslmode": "disable"})
	if err != nil {
		t.Fatal(err)
	}
	v, closeFn, err := connectors.Open[connectors.Validator](context.Background(), "postgres", connectors.NewCredentials(spec, connectors.MergeValues(config, secrets)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = closeFn(context.Background()) }()
	_, err = v.Validate(context.Background())
	var step *connectors.StepError
	if !errors.As(err, &step) {
		t.Fatalf("Validate against MariaDB's port = %v, want a StepError", err)
	}
	if strings.Contains(step.Message, "%!") || !strings.Contains(step.Message, "did not answer like a PostgreSQL server") {
		t.Fatalf("message %q: want it to say the server did not answer like PostgreSQL, without a formatting bug", step.Message)
	}
}
