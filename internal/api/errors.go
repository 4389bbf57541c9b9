package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/openivr/ivr/internal/domain"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[domain.Code]int{
	domain.CodeBadRequest:         http.StatusBadRequest,
	domain.CodeUnauthenticated:    http.StatusUnauthorized,
	domain.CodeForbidden:          http.StatusForbidden,
	domain.CodeNotFound:           http.StatusNotFound,
	domain.CodeConflict:           http.StatusConflict,
	domain.CodePreconditionFailed: http.StatusPreconditionFailed,
	domain.CodeTooLarge:           http.StatusRequestEntityTooLarge,
	domain.CodeInvalid:            http.StatusUnprocessableEntity,
	domain.CodeRateLimited:        http.StatusTooManyRequests,
	domain.CodeInternal:           http.StatusInternalServerError,
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    domain.Code       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// RetryAfter marks a rate-limit error with how long the client should wait.
type RetryAfter struct {
	Err   *domain.Error
	After time.Duration
}

// Error implements error.
func (r *RetryAfter) Error() string { return r.Err.Error() }

// Unwrap exposes the application error.
func (r *RetryAfter) Unwrap() error { return r.Err }

// writeError renders err as the API's error body. An *domain.Error is shown as it
// is; anything else is logged in full and shown as an internal error, so driver
// and SQL messages never reach a client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if log == nil {
		log = slog.Default()
	}
	var ae *domain.Error
	if !errors.As(err, &ae) {
		log.ErrorContext(r.Context(), "request failed", "error", err,
			"route", r.Pattern, "request_id", requestID(r.Context()))
		ae = &domain.Error{Code: domain.CodeInternal, Message: "internal error"}
	}
	var ra *RetryAfter
	if errors.As(err, &ra) {
		secs := int(ra.After.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	status, ok := statusOf[ae.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, errorBody{Error: errorDetail{Code: ae.Code, Message: ae.Message, Fields: ae.Fields}})
}

// writeJSON writes v with status; an encoding failure can only be logged by the
// caller's middleware, since the header is already sent.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
