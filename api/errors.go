package api

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/sluice-dev/sluice/connectors"
	"github.com/sluice-dev/sluice/service"
	"github.com/sluice-dev/sluice/sqlguard"
)

// errorBody is the one error shape every endpoint answers with.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	Step    string `json:"step,omitempty"`
	// Context is what could be answered despite the error (AI SQL without an
	// LLM answers the schema context it retrieved).
	Context any `json:"context,omitempty"`
}

// requestError is a problem with the request itself, found by the API layer.
type requestError struct {
	status int
	code   string
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(msg string) error {
	return &requestError{status: http.StatusBadRequest, code: "bad_request", msg: msg}
}

// fail maps err to its HTTP answer. It is the only place errors become statuses.
func fail(c *gin.Context, err error) {
	status, detail := classify(err)
	if detail.Code == "not_found" && detail.Message == "not found" {
		detail.Message = notFoundMessage(c)
	}
	var rateErr *service.RateLimitError
	if errors.As(err, &rateErr) {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(rateErr.RetryAfter.Seconds()))))
	}
	var notConfigured *service.NotConfiguredError
	switch {
	case status == http.StatusServiceUnavailable && !errors.As(err, &notConfigured):
		c.Header("Retry-After", "5") // retrying cannot help what is not configured
	case status == http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="sluice"`)
	}
	if status >= 500 && notConfigured == nil && !shedding(err) {
		logger(c).Error("request failed", slog.Int("status", status), slog.String("error", err.Error()))
		if status == http.StatusInternalServerError {
			detail.Message = "internal error; quote request id " + requestID(c) + " when reporting it"
		}
	}
	c.AbortWithStatusJSON(status, errorBody{Error: detail})
}

func classify(err error) (int, errorDetail) {
	var (
		reqErr       *requestError
		inputErr     *service.InputError
		validErr     *service.ValidationError
		notSupported *service.NotSupportedError
		timeoutErr   *service.TimeoutError
		missingErr   *service.MissingError
		conflictErr  *service.ConflictError
		tooManyErr   *service.TooManyError
		rateErr      *service.RateLimitError
		syntaxErr    *sqlguard.SyntaxError
		readOnlyErr  *connectors.ReadOnlyError
		queryErr     *connectors.QueryError
		semanticErr  *service.SemanticError
		notConfig    *service.NotConfiguredError
	)
	switch {
	case errors.As(err, &reqErr):
		return reqErr.status, errorDetail{Code: reqErr.code, Message: reqErr.msg}
	case errors.As(err, &inputErr):
		return http.StatusBadRequest, errorDetail{Code: "invalid_input", Message: inputErr.Error(), Field: inputErr.Field}
	case errors.As(err, &validErr):
		return http.StatusUnprocessableEntity, errorDetail{Code: "validation_failed", Message: validErr.Error(), Step: validErr.Step}
	case errors.As(err, &notSupported):
		return http.StatusUnprocessableEntity, errorDetail{Code: "not_supported", Message: notSupported.Error()}
	case errors.As(err, &timeoutErr):
		return http.StatusGatewayTimeout, errorDetail{Code: "timeout", Message: timeoutErr.Error()}
	case errors.As(err, &rateErr):
		return http.StatusTooManyRequests, errorDetail{Code: "rate_limited", Message: rateErr.Error()}
	case errors.As(err, &syntaxErr): // before read_only: a typo is not a write attempt
		return http.StatusBadRequest, errorDetail{Code: "query_failed", Message: syntaxErr.Message}
	case errors.As(err, &readOnlyErr):
		return http.StatusForbidden, errorDetail{Code: "read_only", Message: readOnlyErr.Error()}
	case errors.As(err, &queryErr):
		return queryStatus(queryErr)
	case errors.As(err, &missingErr):
		return http.StatusNotFound, errorDetail{Code: "not_found", Message: missingErr.Error()}
	case errors.As(err, &conflictErr):
		return http.StatusConflict, errorDetail{Code: "conflict", Message: conflictErr.Error()}
	case errors.As(err, &semanticErr):
		return http.StatusBadRequest, errorDetail{Code: semanticErr.Code, Message: semanticErr.Message, Field: semanticErr.Field}
	case errors.As(err, &notConfig):
		return http.StatusServiceUnavailable, errorDetail{Code: "not_configured", Message: notConfig.What, Context: notConfig.Context}
	case errors.As(err, &tooManyErr):
		return http.StatusRequestEntityTooLarge, errorDetail{Code: "too_many_items", Message: tooManyErr.Error(), Field: tooManyErr.Field}
	case errors.Is(err, service.ErrNotFound):
		return http.StatusNotFound, errorDetail{Code: "not_found", Message: "not found"}
	case errors.Is(err, service.ErrUnauthenticated):
		return http.StatusUnauthorized, errorDetail{Code: "unauthenticated", Message: err.Error()}
	case errors.Is(err, service.ErrUnavailable):
		return http.StatusServiceUnavailable, errorDetail{Code: "unavailable", Message: "a dependency is unavailable; retry shortly"}
	}
	return http.StatusInternalServerError, errorDetail{Code: "internal"}
}

// queryStatus maps a source's query failure: the statement's own fault is a
// 4xx with the database's message; the source being slow or gone is 504/502.
func queryStatus(e *connectors.QueryError) (int, errorDetail) {
	d := errorDetail{Code: "query_failed", Message: e.Message}
	switch e.Kind {
	case connectors.QueryErrTimeout:
		return http.StatusGatewayTimeout, errorDetail{Code: "query_timeout", Message: e.Message}
	case connectors.QueryErrConnection:
		return http.StatusBadGateway, errorDetail{Code: "source_unavailable", Message: e.Message}
	case connectors.QueryErrPermission:
		return http.StatusForbidden, errorDetail{Code: "permission_denied", Message: e.Message}
	case connectors.QueryErrNotFound:
		return http.StatusNotFound, errorDetail{Code: "not_found", Message: e.Message}
	case connectors.QueryErrGone:
		return http.StatusGone, errorDetail{Code: "gone", Message: e.Message}
	}
	return http.StatusBadRequest, d
}
