package activities

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/lake"
	"github.com/sluice-dev/sluice/netguard"
)

// TestPermanentCopyErrors checks which copy failures skip Temporal's retries:
// they must carry their type and the non-retryable flag however deep they
// are wrapped, and the message must still say what went wrong.
func TestPermanentCopyErrors(t *testing.T) {
	schema := fmt.Errorf("open writer: %w", &lake.SchemaChangeError{Table: "DATA.users", Column: "score",
		OldType: connectors.Type{Kind: connectors.KindInt}, NewType: connectors.Type{Kind: connectors.KindString}})
	refused := fmt.Errorf("describe public.users: %w", netguard.Check("metadata", netip.MustParseAddr("169.254.169.254")))
	value := fmt.Errorf("copy public.users: %w", &lake.ValueError{Column: "amount", Err: errors.New("NaN cannot be stored")})
	for name, tc := range map[string]struct {
		err      error
		wantType string
	}{
		"schema change":   {schema, ErrTypeSchemaChange},
		"network refused": {refused, ErrTypeNetworkRefused},
		"value":           {value, ErrTypeValue},
	} {
		var app *temporal.ApplicationError
		got := permanentCopyError("public.users", tc.err)
		if !errors.As(got, &app) || app.Type() != tc.wantType || !app.NonRetryable() {
			t.Errorf("%s: %v (%T), want a non-retryable %s", name, got, got, tc.wantType)
			continue
		}
		if inner := errors.Unwrap(tc.err).Error(); !strings.Contains(app.Error(), inner) {
			t.Errorf("%s: message %q lost the cause %q", name, app.Error(), inner)
		}
	}
	transient := errors.New("connection reset by peer")
	if got := permanentCopyError("public.users", transient); got != transient {
		t.Errorf("a transient error became %v", got)
	}
	typed := temporal.NewNonRetryableApplicationError("gone", ErrTypeRunGone, nil)
	if got := permanentCopyError("public.users", typed); got != typed {
		t.Errorf("an application error was rewrapped: %v", got)
	}
	if permanentCopyError("public.users", nil) != nil {
		t.Error("nil became an error")
	}
}
