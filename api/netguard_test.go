package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/internal/testenv"
	"github.com/sluice-dev/sluice/netguard"
)

func TestNetworkPolicyRefusesOnCreate(t *testing.T) {
	env := testenv.New(t)
	token := env.Token(t, "acme")
	metadata := testenv.PostgresCredentials("")
	metadata["host"] = "169.254.169.254"
	cases := []struct {
		name         string
		allowPrivate bool
		creds        map[string]any
		mention      string
	}{
		{"metadata address, private allowed", true, metadata, "link-local"},
		{"loopback, private refused", false, testenv.PostgresCredentials(""), "SLUICE_ALLOW_PRIVATE_NETWORKS"},
		{"localhost name, private refused", false, func() map[string]any {
			c := testenv.PostgresCredentials("")
			c["host"] = "localhost"
			return c
		}(), "SLUICE_ALLOW_PRIVATE_NETWORKS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			netguard.SetAllowPrivate(tc.allowPrivate)
			defer netguard.SetAllowPrivate(true)
			res := env.Do(t, http.MethodPost, "/v1/api/integrations", token, map[string]any{"type": "postgres", "credentials": tc.creds})
			if res.Status != http.StatusUnprocessableEntity {
				t.Fatalf("got %d, want 422: %s", res.Status, res.Body)
			}
			detail := res.JSON(t)["error"].(map[string]any)
			if detail["step"] != "connect" || !strings.Contains(detail["message"].(string), tc.mention) {
				t.Fatalf("error %v does not name the refusal (%q)", detail, tc.mention)
			}
		})
	}
}
