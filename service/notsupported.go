package service

import (
	"fmt"
	"reflect"

	"github.com/sluice-dev/sluice/connectors"
)

// notSupportedOn says that an operation cannot run on an integration of
// type typ, and what the caller can do instead: a bare "ducklake integrations
// is not yet supported" left users with nowhere to go.
func notSupportedOn(operation, typ string) *NotSupportedError {
	return &NotSupportedError{What: fmt.Sprintf("%s on %s integrations", operation, typ), Instead: insteadOn(typ)}
}

// insteadOn is the advice for a type whose integrations cannot do an operation.
func insteadOn(typ string) string {
	switch typ {
	case "ducklake":
		return "The ducklake integration is the team's lake, which sluice writes itself: query it with POST /v1/query and no integration_id (its tables are the destinations of your syncs), list its tables, columns and snapshots with GET /v1/api/lake/tables and /v1/api/lake/snapshots, and discover or scan the source integrations the syncs read from."
	case "stripe":
		return "A stripe integration is an API, not a database: it runs no SQL. Sync its streams (GET /v1/api/integrations/{id}/schema lists them) into the lake, then query them there with POST /v1/query and no integration_id."
	case "cube":
		return "A cube integration answers cube queries only: send POST /v1/query with cube_query and this integration_id, or run SQL, discovery and syncs on the integration of the database Cube reads from."
	}
	return "List the types and what each can do with GET /v2/connectionconfig."
}

// isAPISource reports whether typ reads an HTTP API and runs no SQL.
func isAPISource(typ string) bool {
	spec, ok := connectors.Lookup(typ)
	return ok && spec.API
}

// operationOf names what asking a source for capability T does, for messages.
func operationOf[T any]() string {
	switch reflect.TypeFor[T]() {
	case reflect.TypeFor[connectors.Discoverer]():
		return "schema discovery"
	case reflect.TypeFor[connectors.Querier]():
		return "SQL queries"
	case reflect.TypeFor[connectors.Reader]():
		return "reading tables"
	case reflect.TypeFor[connectors.Validator]():
		return "validating credentials"
	}
	return "this operation"
}
