package connectors

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Credentials are a connection's fields after catalog validation: non-secret
// configuration and decrypted secrets together. They live only in memory.
type Credentials struct {
	values  map[string]any
	secrets []string
}

// NewCredentials wraps values; the names of secret fields come from the catalog.
func NewCredentials(spec TypeSpec, values map[string]any) Credentials {
	c := Credentials{values: values}
	for _, f := range spec.Fields {
		if f.Secret {
			if s := c.String(f.Name); s != "" {
				c.secrets = append(c.secrets, s)
			}
		}
	}
	// Longest first, so a secret that contains another is removed whole.
	sort.Slice(c.secrets, func(i, j int) bool { return len(c.secrets[i]) > len(c.secrets[j]) })
	return c
}

// String returns a field as a string, or "" when it is absent.
func (c Credentials) String(name string) string {
	switch v := c.values[name].(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// Int returns a numeric field, or def when it is absent or not a number.
func (c Credentials) Int(name string, def int) int {
	switch v := c.values[name].(type) {
	case float64:
		return int(v)
	case int:
		return v
	case int64:
		return int(v)
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return n
		}
	}
	return def
}

// Bool returns a boolean field, or def when it is absent.
func (c Credentials) Bool(name string, def bool) bool {
	switch v := c.values[name].(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(v); err == nil {
			return b
		}
	}
	return def
}

// minSubstringRedaction is the shortest secret removed wherever it appears;
// shorter ones are removed only as whole words, so a three-letter password
// does not shred every message it happens to occur in.
const minSubstringRedaction = 4

// Redact replaces every secret value inside s with a marker. Connector errors
// pass through it before they leave the connector.
func (c Credentials) Redact(s string) string {
	for _, secret := range c.secrets {
		if len(secret) >= minSubstringRedaction {
			s = strings.ReplaceAll(s, secret, "[redacted]")
			continue
		}
		re := regexp.MustCompile(`(^|[^\pL\pN])` + regexp.QuoteMeta(secret) + `($|[^\pL\pN])`)
		s = re.ReplaceAllString(s, "${1}[redacted]${2}")
	}
	return s
}
