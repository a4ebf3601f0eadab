package bigquery

import (
	"context"
	"errors"
	"net"
	"net/http"

	bq "cloud.google.com/go/bigquery"
	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/netguard"
)

// apiError is BigQuery's answer to a failed request or job: an HTTP status
// (0 for a job's own error) and the first error reason, e.g. "invalidQuery".
type apiError struct {
	status  int
	reason  string
	message string
}

// asAPIError extracts BigQuery's error from what the client returned.
func asAPIError(err error) (apiError, bool) {
	var gErr *googleapi.Error
	if errors.As(err, &gErr) {
		e := apiError{status: gErr.Code, message: gErr.Message}
		if len(gErr.Errors) > 0 {
			e.reason = gErr.Errors[0].Reason
			if e.message == "" {
				e.message = gErr.Errors[0].Message
			}
		}
		return e, true
	}
	var jobErr *bq.Error
	if errors.As(err, &jobErr) {
		return apiError{reason: jobErr.Reason, message: jobErr.Message}, true
	}
	return apiError{}, false
}

// kind maps BigQuery's error reasons (and, without one, the HTTP status) to
// query error kinds. notFound is a syntax error in a query: the statement
// names a table or column that is not there.
func (e apiError) kind() string {
	switch e.reason {
	case "invalidQuery", "invalid", "notFound", "duplicate":
		return connectors.QueryErrSyntax
	case "accessDenied":
		return connectors.QueryErrPermission
	case "timeout", "stopped":
		return connectors.QueryErrTimeout
	case "backendError", "internalError":
		return connectors.QueryErrConnection
	case "quotaExceeded", "rateLimitExceeded", "responseTooLarge", "resourcesExceeded", "billingNotEnabled":
		return connectors.QueryErrOther
	}
	switch {
	case e.status == http.StatusUnauthorized || e.status == http.StatusForbidden:
		return connectors.QueryErrPermission
	case e.status == http.StatusNotFound || e.status == http.StatusBadRequest:
		return connectors.QueryErrSyntax
	case e.status >= 500:
		return connectors.QueryErrConnection
	}
	return connectors.QueryErrOther
}

// step maps an error during validation to the step it belongs to.
func (e apiError) step() string {
	switch {
	case e.status == http.StatusUnauthorized:
		return connectors.StepAuthenticate
	case e.status == http.StatusForbidden, e.status == http.StatusNotFound, e.reason == "accessDenied":
		return connectors.StepPermissions
	}
	return connectors.StepQuery
}

// queryError classifies err, keeping BigQuery's message without secrets.
func (c *Connector) queryError(err error) error {
	var roErr *connectors.ReadOnlyError
	var qErr *connectors.QueryError
	if errors.As(err, &roErr) || errors.As(err, &qErr) {
		return err
	}
	if e, ok := asAPIError(err); ok {
		return &connectors.QueryError{Kind: e.kind(), Message: c.creds.Redact(e.message)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &connectors.QueryError{Kind: connectors.QueryErrTimeout, Message: "the query did not finish in time and was cancelled"}
	}
	var retrieveErr *oauth2.RetrieveError
	if errors.As(err, &retrieveErr) {
		return &connectors.QueryError{Kind: connectors.QueryErrPermission, Message: c.creds.Redact(err.Error())}
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, netguard.ErrRefused) {
		return &connectors.QueryError{Kind: connectors.QueryErrConnection, Message: c.creds.Redact(err.Error())}
	}
	return &connectors.QueryError{Kind: connectors.QueryErrOther, Message: c.creds.Redact(err.Error())}
}

// stepError classifies an error during validation.
func (c *Connector) stepError(err error) *connectors.StepError {
	var retrieveErr *oauth2.RetrieveError
	switch e, ok := asAPIError(err); {
	case ok:
		return &connectors.StepError{Step: e.step(), Message: c.creds.Redact(e.message)}
	case errors.As(err, &retrieveErr):
		return connectors.NewStepError(connectors.StepAuthenticate, err, c.creds)
	}
	return connectors.NewStepError(connectors.StepConnect, err, c.creds)
}
