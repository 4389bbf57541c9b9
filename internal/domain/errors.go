package domain

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code is the machine-readable kind of an application error. Each code maps to one
// HTTP status in the API layer.
type Code string

// The error codes of the API contract.
const (
	CodeBadRequest         Code = "bad_request"
	CodeUnauthenticated    Code = "unauthenticated"
	CodeForbidden          Code = "forbidden"
	CodeNotFound           Code = "not_found"
	CodeConflict           Code = "conflict"
	CodePreconditionFailed Code = "precondition_failed"
	CodeTooLarge           Code = "too_large"
	CodeInvalid            Code = "invalid"
	CodeRateLimited        Code = "rate_limited"
	CodeInternal           Code = "internal"
)

// Error is the one application error type. Its Message is safe to show to the
// caller; it never carries PHI or internal detail. Fields maps a request field
// (dotted path, e.g. "wound.length_cm") to what is wrong with it.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

// Error implements error.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", k, e.Fields[k])
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, b.String())
}

// Errorf returns an *Error with the given code and a formatted, client-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the error every lookup returns for a missing record and for a
// record outside the caller's scope alike.
var ErrNotFound = &Error{Code: CodeNotFound, Message: "not found"}

// ErrForbidden is returned when the caller's role may never perform the action.
var ErrForbidden = &Error{Code: CodeForbidden, Message: "forbidden"}

// ErrUnauthenticated is returned for missing, expired or revoked credentials.
var ErrUnauthenticated = &Error{Code: CodeUnauthenticated, Message: "authentication required"}

// ErrVersionMismatch is returned when an If-Match version does not match.
var ErrVersionMismatch = &Error{Code: CodePreconditionFailed, Message: "version does not match"}

// Conflict returns the error for an action refused in the record's current state.
// The message names the state, as the API contract requires.
func Conflict(action, state string) *Error {
	return Errorf(CodeConflict, "cannot %s: current state is %s", action, state)
}

// ErrorCode returns the code of err if it is, or wraps, an *Error, and
// CodeInternal otherwise.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldErrors collects validation problems per field. The zero value is ready to
// use; Err returns nil when nothing was added.
type FieldErrors map[string]string

// Add records problem for field, keeping the first problem seen for each field.
func (f *FieldErrors) Add(field, problem string) {
	if *f == nil {
		*f = FieldErrors{}
	}
	if _, ok := (*f)[field]; !ok {
		(*f)[field] = problem
	}
}

// Err returns an invalid-input *Error carrying the fields, or nil if there are none.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "validation failed", Fields: map[string]string(f)}
}
