// Package connectors defines the capability interfaces every source or
// destination implements, the catalog of supported connection types, and the
// registry that opens a connector by type.
package connectors

import (
	"context"
	"time"
)

// Connector is the one capability every connector has: it can be closed.
type Connector interface {
	Close(ctx context.Context) error
}

// Validator checks that credentials work: connect, authenticate, run a trivial
// query and list schemas.
type Validator interface {
	Validate(ctx context.Context) (ValidationReport, error)
}

// ValidationReport describes a successful validation.
type ValidationReport struct {
	// ServerVersion is what the server says it is, when it says.
	ServerVersion string `json:"server_version,omitempty"`
	// Schemas are the schemas (or datasets, or databases) the credentials can see.
	Schemas []string `json:"schemas"`
	// Elapsed is how long the whole validation took.
	Elapsed time.Duration `json:"elapsed"`
	// Warnings are what a person should know about credentials that
	// passed, such as a superuser source accepted by configuration.
	Warnings []string `json:"warnings,omitempty"`
}

// Validation steps, in the order a validation runs them.
const (
	StepConfig       = "config"
	StepConnect      = "connect"
	StepAuthenticate = "authenticate"
	StepQuery        = "query"
	StepPermissions  = "permissions"
)
