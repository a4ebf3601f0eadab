package bigquery

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"time"

	bq "cloud.google.com/go/bigquery"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/sluice-dev/sluice/netguard"
)

// serviceAccountKey holds the fields of a key file sluice checks itself
// before handing the file to the oauth2 library.
type serviceAccountKey struct {
	Type        string `json:"type"`
	ClientEmail string `json:"client_email"`
	PrivateKey  string `json:"private_key"`
}

// parseKey checks that raw is a usable service-account key. Only "service_account" keys are accepted: other Google credential
// files (external_account, impersonated_service_account) tell the auth
// library to read local files or call URLs of the file's choosing.
// Messages never quote the key.
func parseKey(raw string) (*serviceAccountKey, error) {
	var key serviceAccountKey
	if err := json.Unmarshal([]byte(raw), &key); err != nil {
		return nil, errors.New("credentials_json is not a JSON object")
	}
	if key.Type != "service_account" {
		return nil, fmt.Errorf("credentials_json has type %q; sluice accepts only a service-account key (type \"service_account\")", key.Type)
	}
	if key.ClientEmail == "" || key.PrivateKey == "" {
		return nil, errors.New("credentials_json lacks client_email or private_key")
	}
	block, _ := pem.Decode([]byte(key.PrivateKey))
	if block == nil {
		return nil, errors.New("the private_key of credentials_json is not PEM")
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
		if _, err1 := x509.ParsePKCS1PrivateKey(block.Bytes); err1 != nil {
			return nil, errors.New("the private_key of credentials_json is not an RSA private key")
		}
	}
	return &key, nil
}

// tokenTimeout bounds one token request: the oauth2 token source takes no context.
const tokenTimeout = 30 * time.Second

// authorizedClient returns an HTTP client that signs requests with tokens
// obtained from the key's token_uri, both through the network guard (the
// token_uri comes from the user's key file, so it is checked like any host).
func authorizedClient(raw string) (*http.Client, oauth2.TokenSource, error) {
	if _, err := parseKey(raw); err != nil {
		return nil, nil, err
	}
	cfg, err := google.JWTConfigFromJSON([]byte(raw), bq.Scope)
	if err != nil {
		return nil, nil, errors.New("credentials_json is not a usable service-account key")
	}
	base := netguard.Transport()
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient,
		&http.Client{Transport: base, Timeout: tokenTimeout})
	tokens := cfg.TokenSource(tokenCtx)
	return &http.Client{Transport: &oauth2.Transport{Source: tokens, Base: base}}, tokens, nil
}
