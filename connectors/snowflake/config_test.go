package snowflake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"sync"
	"testing"

	sf "github.com/snowflakedb/gosnowflake"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

func pemKey(t *testing.T, blockType string, der []byte) string {
	t.Helper()
	return string(pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}))
}

func lookup(values map[string]string) func(string) string {
	return func(k string) string { return values[k] }
}

func TestConfigWithPassword(t *testing.T) {
	password := `p;w&d?x=1@h/o%st#"'` // would end or restructure a DSN
	cfg, err := buildConfig(lookup(map[string]string{
		"account": "myorg-myaccount", "username": "SLUICE_READER", "password": password,
		"warehouse": "REPORTING_WH", "database": "ANALYTICS", "role": "READER", "schema": "PUBLIC",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Password != password || cfg.User != "SLUICE_READER" || cfg.Authenticator != sf.AuthTypeSnowflake {
		t.Fatalf("credentials = %q %q %v", cfg.User, cfg.Password, cfg.Authenticator)
	}
	if cfg.Warehouse != "REPORTING_WH" || cfg.Database != "ANALYTICS" || cfg.Role != "READER" || cfg.Schema != "PUBLIC" {
		t.Fatalf("session = %+v", cfg)
	}
	if cfg.Host != "myorg-myaccount.snowflakecomputing.com" || cfg.Port != 443 || cfg.Protocol != "https" {
		t.Fatalf("address = %s://%s:%d", cfg.Protocol, cfg.Host, cfg.Port)
	}
	if cfg.Transporter == nil || cfg.ValidateDefaultParameters != sf.ConfigBoolTrue || cfg.LoginTimeout != loginTimeout {
		t.Fatalf("transport %v, validate defaults %v, login timeout %s", cfg.Transporter, cfg.ValidateDefaultParameters, cfg.LoginTimeout)
	}
	if tag := cfg.Params["QUERY_TAG"]; tag == nil || *tag != "sluice" {
		t.Fatalf("query tag = %v", tag)
	}
}

func TestConfigWithKeyPair(t *testing.T) {
	key := rsaKey(t)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	for name, text := range map[string]string{
		"PKCS #8":           pemKey(t, "PRIVATE KEY", pkcs8),
		"PKCS #1":           pemKey(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key)),
		"escaped new lines": strings.ReplaceAll(pemKey(t, "PRIVATE KEY", pkcs8), "\n", `\n`),
	} {
		cfg, err := buildConfig(lookup(map[string]string{"account": "xy12345.us-east-2.aws", "username": "u",
			"private_key": text, "password": "ignored-when-a-key-is-given", "warehouse": "w", "database": "d"}))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if cfg.Authenticator != sf.AuthTypeJwt || !cfg.PrivateKey.Equal(key) || cfg.Password != "" {
			t.Errorf("%s: authenticator %v, key set %v, password %q", name, cfg.Authenticator, cfg.PrivateKey != nil, cfg.Password)
		}
		if cfg.Host != "xy12345.us-east-2.aws.snowflakecomputing.com" {
			t.Errorf("%s: host %s", name, cfg.Host)
		}
	}
}

func TestConfigRefusals(t *testing.T) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallDER, _ := x509.MarshalPKCS8PrivateKey(small)
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	base := map[string]string{"account": "myorg-myaccount", "username": "u", "warehouse": "w", "database": "d"}
	cases := map[string]map[string]string{
		"no secret":         {},
		"host in account":   {"account": "evil.example/x?", "password": "p"},
		"encrypted key":     {"private_key": pemKey(t, "ENCRYPTED PRIVATE KEY", []byte("MIIFHzBJBgkqhkiG9w0BBQ0wPDAbBgkqhkiG9w0BBQwwDgQI"))},
		"EC key":            {"private_key": pemKey(t, "PRIVATE KEY", ecDER)},
		"short RSA key":     {"private_key": pemKey(t, "PRIVATE KEY", smallDER)},
		"not PEM":           {"private_key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ"},
		"certificate block": {"private_key": pemKey(t, "CERTIFICATE", []byte("MIIDdzCCAl+gAwIBAgIE"))},
	}
	for name, extra := range cases {
		values := map[string]string{}
		for k, v := range base {
			values[k] = v
		}
		for k, v := range extra {
			values[k] = v
		}
		_, err := buildConfig(lookup(values))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: the error quotes the key: %v", name, err)
		}
	}
}

// TestPlatformDetectionIsOff: the driver would otherwise probe cloud
// metadata services outside the network guard on first connect.
func TestPlatformDetectionIsOff(t *testing.T) {
	if got := os.Getenv(disablePlatformDetection); got != "true" {
		t.Fatalf("%s = %q, want true", disablePlatformDetection, got)
	}
}
