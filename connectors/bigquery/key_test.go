package bigquery

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/sluice-dev/sluice/connectors"
)

func TestParseKey(t *testing.T) {
	trusted, _ := testKeys(t)
	good := keyJSON(t, trusted, "reader@sluice-test-1.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token")
	if _, err := parseKey(good); err != nil {
		t.Fatalf("a service-account key was refused: %v", err)
	}
	edit := func(change func(map[string]any)) string {
		var m map[string]any
		_ = json.Unmarshal([]byte(good), &m)
		change(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(trusted)})
	if _, err := parseKey(edit(func(m map[string]any) { m["private_key"] = string(pkcs1) })); err != nil {
		t.Errorf("a PKCS #1 key was refused: %v", err)
	}
	bad := map[string]string{
		"not JSON": "{not json",
		// An external account makes the auth library fetch a subject token
		// from a file or URL named in the credential.
		"external account": `{"type": "external_account", "audience": "//iam.googleapis.com/x",
			"credential_source": {"url": "http://169.254.169.254/token"}}`,
		"authorized user": `{"type": "authorized_user", "client_id": "x", "client_secret": "y", "refresh_token": "z"}`,
		"no private key":  edit(func(m map[string]any) { delete(m, "private_key") }),
		"not PEM":         edit(func(m map[string]any) { m["private_key"] = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" }),
		"not RSA": edit(func(m map[string]any) {
			m["private_key"] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
		}),
	}
	for name, raw := range bad {
		if _, err := parseKey(raw); err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), "AAAA") || strings.Contains(err.Error(), "MIIE") {
			t.Errorf("%s: the error quotes the key: %v", name, err)
		}
	}
}

// TestNewRefusesBadConfig: configuration problems surface as config-step
// errors when the connector is built, before any request.
func TestNewRefusesBadConfig(t *testing.T) {
	trusted, _ := testKeys(t)
	key := keyJSON(t, trusted, "reader@sluice-test-1.iam.gserviceaccount.com", "https://oauth2.googleapis.com/token")
	for name, values := range map[string]map[string]any{
		"bad project id": {"project_id": "Not A Project!", "credentials_json": key},
		"not a key":      {"project_id": "sluice-test-1", "credentials_json": `{"type": "authorized_user"}`},
	} {
		_, err := New(context.Background(), credsFor(t, values))
		var stepErr *connectors.StepError
		if !errors.As(err, &stepErr) || stepErr.Step != connectors.StepConfig {
			t.Errorf("%s: %v, want a config StepError", name, err)
		}
	}
}
