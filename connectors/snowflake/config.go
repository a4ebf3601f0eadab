package snowflake

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/sluice-dev/sluice/netguard"
)

// loginTimeout bounds logging in (the driver's default is five minutes).
const loginTimeout = 30 * time.Second

// accountPattern matches account identifiers: "myorg-myaccount", or a
// locator with its region and cloud ("xy12345.us-east-2.aws"). The driver
// builds the host name from it, so nothing else may get in.
var accountPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$`)

// buildConfig builds the driver configuration field by field; secrets never
// pass through a DSN string.
func buildConfig(values func(string) string) (*sf.Config, error) {
	account := strings.TrimSpace(values("account"))
	// People paste the host name; the driver wants the identifier.
	account = strings.TrimSuffix(strings.TrimPrefix(account, "https://"), ".snowflakecomputing.com")
	if !accountPattern.MatchString(account) {
		return nil, fmt.Errorf("account %q is not a Snowflake account identifier (e.g. myorg-myaccount)", account)
	}
	falseBool := sf.ConfigBoolFalse
	queryTag := "sluice"
	cfg := &sf.Config{
		Account:      account,
		User:         values("username"),
		Warehouse:    values("warehouse"),
		Database:     values("database"),
		Schema:       values("schema"),
		Role:         values("role"),
		Application:  "sluice",
		LoginTimeout: loginTimeout,
		// Every connection (the login, queries, result chunks from cloud
		// storage) dials through the network guard. A custom transport also
		// turns off the driver's own OCSP and CRL checks (which would dial
		// their own responders); Go's TLS still verifies certificates.
		Transporter: netguard.Transport(),
		Params:      map[string]*string{"QUERY_TAG": &queryTag},
		// Fail the login, not a later query, when the warehouse, database,
		// schema or role does not exist or may not be used.
		ValidateDefaultParameters: sf.ConfigBoolTrue,
		// Nothing is cached on the server's disk or keychain.
		ClientStoreTemporaryCredential: falseBool,
		ClientRequestMfaToken:          falseBool,
		DisableTelemetry:               true,
	}
	switch key, password := values("private_key"), values("password"); {
	case key != "":
		pk, err := parsePrivateKey(key)
		if err != nil {
			return nil, err
		}
		cfg.Authenticator = sf.AuthTypeJwt
		cfg.PrivateKey = pk
	case password != "":
		cfg.Authenticator = sf.AuthTypeSnowflake
		cfg.Password = password
	default:
		return nil, errors.New("give a password or a private_key")
	}
	// DSN fills in what the driver derives (host, port, protocol) and fails
	// on what is missing; the DSN text itself is discarded.
	if _, err := sf.DSN(cfg); err != nil {
		return nil, fmt.Errorf("build connection config: %w", err)
	}
	return cfg, nil
}

// parsePrivateKey reads an unencrypted RSA key for key-pair authentication,
// PKCS #8 ("BEGIN PRIVATE KEY") or PKCS #1 ("BEGIN RSA PRIVATE KEY").
// Messages never quote the key.
func parsePrivateKey(text string) (*rsa.PrivateKey, error) {
	text = strings.TrimSpace(text)
	if !strings.Contains(text, "\n") {
		text = strings.ReplaceAll(text, `\n`, "\n") // pasted from an environment variable
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("private_key is not a PEM key (-----BEGIN PRIVATE KEY-----)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("private_key is encrypted; give the unencrypted key (openssl pkcs8 -topk8 -nocrypt)")
	default:
		return nil, fmt.Errorf("private_key is a PEM %q block, not a private key", block.Type)
	}
	if err != nil {
		return nil, errors.New("private_key could not be parsed")
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private_key is not an RSA key; Snowflake key-pair authentication uses RSA")
	}
	if rsaKey.N.BitLen() < 2048 {
		return nil, fmt.Errorf("private_key is a %d-bit RSA key; Snowflake requires at least 2048 bits", rsaKey.N.BitLen())
	}
	return rsaKey, nil
}
