package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

// scratchRole creates a login role granted grants (role names), drops it when
// the test ends, and returns its name.
func scratchRole(t *testing.T, grants ...string) string {
	t.Helper()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	name := "e_role_" + hex.EncodeToString(suffix)
	exec(t, "CREATE ROLE "+name+" LOGIN")
	t.Cleanup(func() { exec(t, "DROP ROLE IF EXISTS "+name) })
	for _, g := range grants {
		exec(t, "GRANT "+g+" TO "+name)
	}
	return name
}

// TestValidateRefusesSuperuserSources validates as the server's superuser, as
// a role with pg_read_server_files and as a read-only role, with superuser
// sources refused and then allowed.
func TestValidateRefusesSuperuserSources(t *testing.T) {
	allowed := connectors.AllowSuperuserSources()
	t.Cleanup(func() { connectors.SetAllowSuperuserSources(allowed) })
	fileReader := scratchRole(t, "pg_read_all_data", "pg_read_server_files")
	reader := scratchRole(t, "pg_read_all_data")
	validate := func(user string) (connectors.ValidationReport, error) {
		return openSource[connectors.Validator](t, "postgres", user).Validate(context.Background())
	}

	connectors.SetAllowSuperuserSources(false)
	for user, power := range map[string]string{"": "superuser", fileReader: "member of pg_read_server_files"} {
		_, err := validate(user)
		var step *connectors.StepError
		if !errors.As(err, &step) || step.Step != connectors.StepPermissions ||
			!strings.Contains(step.Message, power) || !strings.Contains(step.Message, "SLUICE_ALLOW_SUPERUSER_SOURCES") {
			t.Errorf("validate as %q with superuser sources refused: %v, want a permissions StepError naming %q", user, err, power)
		}
	}
	if report, err := validate(reader); err != nil || len(report.Warnings) != 0 {
		t.Errorf("validate as a read-only role: %v (warnings %v), want success without warnings", err, report.Warnings)
	}

	connectors.SetAllowSuperuserSources(true)
	report, err := validate("")
	if err != nil {
		t.Fatalf("validate as the superuser with superuser sources allowed: %v", err)
	}
	if len(report.Warnings) != 1 || !strings.Contains(report.Warnings[0], "superuser") {
		t.Errorf("warnings %v, want one about the superuser", report.Warnings)
	}
}
