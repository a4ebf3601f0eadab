package connectors

import (
	"slices"
	"strings"
	"testing"
)

// TestDestinationFieldsAreMarked: a PUT that moves a connection elsewhere
// must send its secrets again, and the service knows which fields move it
// only from the catalog. Every type that stores a secret has at least one,
// and every field whose name says "where" is one.
func TestDestinationFieldsAreMarked(t *testing.T) {
	where := []string{"host", "port", "database", "account", "project_id", "api_url", "endpoint", "url",
		"sslmode", "tls", "encrypt", "trust_server_certificate"}
	for _, spec := range Catalog() {
		if len(spec.SecretFields()) > 0 && len(spec.DestinationFields()) == 0 {
			t.Errorf("%s stores secrets but marks no field as where they are sent", spec.Slug)
		}
		for _, f := range spec.Fields {
			if (slices.Contains(where, f.Name) || strings.HasSuffix(f.Name, "_url")) && !f.Destination {
				t.Errorf("%s.%s says where credentials go but is not marked Destination", spec.Slug, f.Name)
			}
		}
	}
}
