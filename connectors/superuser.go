package connectors

import (
	"fmt"
	"strings"
	"sync/atomic"
)

// refuseSuperuser is the process's policy on sources whose credentials are a
// superuser's (see SetAllowSuperuserSources). Its zero value allows them, for
// code that opens connectors without a configuration (tests, tools); every
// sluice process sets it from SLUICE_ALLOW_SUPERUSER_SOURCES, whose default
// refuses.
var refuseSuperuser atomic.Bool

// SetAllowSuperuserSources sets whether validation accepts credentials with
// superuser powers on the source (Postgres superuser, rds_superuser, or
// membership in pg_write_server_files, pg_execute_server_program or
// pg_read_server_files). A read-only transaction and the statement guard do
// not stop a superuser's server-side functions (reading server files,
// running programs, opening connections that are not read-only), so sluice
// refuses such sources unless the operator allows them; allowed, validation
// still warns.
func SetAllowSuperuserSources(allow bool) { refuseSuperuser.Store(!allow) }

// AllowSuperuserSources reports the policy SetAllowSuperuserSources set.
func AllowSuperuserSources() bool { return !refuseSuperuser.Load() }

// SuperuserVerdict turns the powers validation found (such as "superuser"
// or "member of pg_read_server_files") into the process's answer: a
// permissions StepError that refuses the source, or, when superuser sources
// are allowed, a warning for the validation report. No powers: neither.
func SuperuserVerdict(user string, powers []string) (warning string, err error) {
	if len(powers) == 0 {
		return "", nil
	}
	what := fmt.Sprintf("user %q has powers beyond reading (%s): a read-only transaction does not stop them, so a query could read or write server files or run programs", user, strings.Join(powers, ", "))
	if !AllowSuperuserSources() {
		return "", &StepError{Step: StepPermissions,
			Message: what + "; connect as a role that may only read (see the README's security section), or set SLUICE_ALLOW_SUPERUSER_SOURCES=true to accept it"}
	}
	return what + "; accepted because SLUICE_ALLOW_SUPERUSER_SOURCES=true", nil
}
