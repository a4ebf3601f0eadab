package service

import (
	"errors"
	"fmt"
)

// ErrNotFound means the resource does not exist or belongs to another team;
// callers cannot tell the two apart, by design.
var ErrNotFound = errors.New("not found")

// ErrUnauthenticated means the presented token is missing, unknown, revoked or expired.
var ErrUnauthenticated = errors.New("missing, unknown, revoked or expired API token")

// ErrUnavailable means a dependency (sluice's database, Temporal) cannot be
// reached right now; the request may succeed if retried.
var ErrUnavailable = errors.New("service temporarily unavailable")

// InputError names a request field that is wrong and why.
type InputError struct {
	Field   string
	Problem string
}

func (e *InputError) Error() string { return fmt.Sprintf("%s %s", e.Field, e.Problem) }

// ValidationError means a connection's credentials were checked and refused.
// Step is one of connect, authenticate, query, permissions (or config).
type ValidationError struct {
	Step    string
	Message string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("validation failed at %s: %s", e.Step, e.Message)
}

// NotSupportedError means sluice knows the connection type but cannot do
// this with it. Instead, when set, is whole sentences saying what to do.
type NotSupportedError struct{ What, Instead string }

func (e *NotSupportedError) Error() string {
	if e.Instead == "" {
		return e.What + " is not supported."
	}
	return e.What + " is not supported. " + e.Instead
}

// TimeoutError means a step the API waits for did not finish in time.
type TimeoutError struct{ What string }

func (e *TimeoutError) Error() string { return e.What + " did not finish in time" }
