package service

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/sluice-dev/sluice/connectors"
)

// requireSecretsForNewDestination refuses a patch that changes where the
// credentials are sent (a field the catalog marks Destination: host, port,
// database, account, project, URL) while keeping a stored secret, by sending
// SecretMarker or leaving it out. Otherwise validation would send the stored
// password to a host of the caller's choosing. It runs before anything
// connects anywhere.
func requireSecretsForNewDestination(spec connectors.TypeSpec, stored map[string]any, storedSecrets []string, patch map[string]any) error {
	changed := changedDestinations(spec, stored, patch)
	if len(changed) == 0 {
		return nil
	}
	var missing []string
	for _, name := range spec.SecretFields() {
		if !slices.Contains(storedSecrets, name) {
			continue // nothing stored, nothing to redirect
		}
		v, sent := patch[name]
		if sent && v != SecretMarker {
			continue // a new value, or nil to remove it
		}
		missing = append(missing, name)
	}
	if len(missing) == 0 {
		return nil
	}
	fields := make([]string, len(missing))
	for i, name := range missing {
		fields[i] = "credentials." + name
	}
	return &InputError{Field: strings.Join(fields, ", "), Problem: fmt.Sprintf(
		"must be sent again: this change of %s sends the credentials somewhere new, so the stored secret is not reused (send the real value, not %q)",
		strings.Join(changed, ", "), SecretMarker)}
}

// changedDestinations names the destination fields whose value the patch
// changes, comparing values as the catalog coerces them (5432 and "5432"
// are the same port) and applying defaults (removing port means the default).
func changedDestinations(spec connectors.TypeSpec, stored, patch map[string]any) []string {
	var changed []string
	for _, f := range spec.Fields {
		if !f.Destination {
			continue
		}
		v, sent := patch[f.Name]
		if !sent {
			continue
		}
		next, ok := destinationValue(spec, f.Name, v)
		if !ok {
			continue // Normalize refuses it with the field's own message; nothing connects
		}
		if prev, _ := destinationValue(spec, f.Name, stored[f.Name]); !reflect.DeepEqual(prev, next) {
			changed = append(changed, f.Name)
		}
	}
	return changed
}

// destinationValue is v as the catalog would store it for field name:
// coerced to the field's type, or its default when empty. ok is false when v
// does not coerce.
func destinationValue(spec connectors.TypeSpec, name string, v any) (value any, ok bool) {
	if v == nil || v == "" {
		for _, f := range spec.Fields {
			if f.Name == name {
				return f.Default, true
			}
		}
		return nil, true
	}
	config, _, err := connectors.TypeSpec{Fields: []connectors.Field{fieldNamed(spec, name)}}.Normalize(map[string]any{name: v})
	if err != nil {
		return nil, false
	}
	return config[name], true
}

func fieldNamed(spec connectors.TypeSpec, name string) connectors.Field {
	for _, f := range spec.Fields {
		if f.Name == name {
			f.Required = false
			return f
		}
	}
	return connectors.Field{Name: name, Type: connectors.FieldString}
}
