package httpapi

import (
	"fmt"
	"net/http"
)

// StatusError is an answer outside 2xx, with the API's own message.
type StatusError struct {
	API     string
	Path    string
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d to %s: %s", e.API, e.Status, e.Path, e.Message)
}

// Unauthorized reports whether the API refused the credentials themselves.
func (e *StatusError) Unauthorized() bool { return e.Status == http.StatusUnauthorized }

// Forbidden reports whether the credentials lack a permission.
func (e *StatusError) Forbidden() bool { return e.Status == http.StatusForbidden }

// ConnectError is a failure to reach the API or to read its answer.
type ConnectError struct {
	API    string
	Err    error
	redact func(string) string
}

func (e *ConnectError) Error() string {
	msg := fmt.Sprintf("cannot reach %s: %v", e.API, e.Err)
	if e.redact != nil {
		msg = e.redact(msg)
	}
	return msg
}

// Unwrap exposes the cause (a netguard refusal, a timeout).
func (e *ConnectError) Unwrap() error { return e.Err }

// TooLargeError is an answer larger than the client's byte bound.
type TooLargeError struct {
	API   string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s's answer is larger than %d bytes; sluice stopped reading it", e.API, e.Limit)
}

// FormatError is a 2xx answer that is not what the API documents.
type FormatError struct {
	API     string
	Path    string
	Problem string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("%s's answer to %s is not what its API documents: %s", e.API, e.Path, e.Problem)
}
