package connectors

import (
	"errors"
	"fmt"
)

// ErrUnsupportedType means the catalog does not know the connection type.
var ErrUnsupportedType = errors.New("unsupported connection type")

// ErrNotImplemented means the type is in the catalog but sluice cannot open it yet.
var ErrNotImplemented = errors.New("connection type is not yet supported")

// StepError is a failure at one validation step, carrying the database's own
// message. It is never retried: the same credentials fail the same way.
type StepError struct {
	// Step is one of the Step* constants.
	Step string
	// Message is the database's message with any secret value removed.
	Message string
}

func (e *StepError) Error() string { return fmt.Sprintf("%s: %s", e.Step, e.Message) }

// NewStepError builds a StepError from err, removing every secret value of
// creds from the message so it can be shown, logged and stored.
func NewStepError(step string, err error, creds Credentials) *StepError {
	return &StepError{Step: step, Message: creds.Redact(err.Error())}
}
