package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/openivr/ivr/internal/domain"
)

// readBody reads the whole request body under the size limit set by the
// middleware, returning a too_large error past it.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, domain.Errorf(domain.CodeTooLarge, "request body over %d bytes", mbe.Limit)
	}
	if err != nil {
		return nil, domain.Errorf(domain.CodeBadRequest, "could not read request body")
	}
	return b, nil
}

// decodeStrict decodes one JSON object from body into v. Malformed JSON is a 400;
// an unknown field, or a known field with the wrong type, is a 422 naming it.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Errorf(domain.CodeBadRequest, "request body is empty; want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if dec.More() {
			return domain.Errorf(domain.CodeBadRequest, "request body holds more than one JSON value")
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return domain.Errorf(domain.CodeBadRequest, "request body must be a JSON object")
		}
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{field: "must be " + jsonKind(typeErr.Type.Kind().String())}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{name: "unknown or read-only field"}}
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.Errorf(domain.CodeBadRequest, "malformed JSON")
	}
	return domain.Errorf(domain.CodeBadRequest, "malformed JSON: %s", safeJSONProblem(err))
}

// safeJSONProblem keeps only decoder messages that cannot echo request content.
func safeJSONProblem(err error) string {
	if strings.Contains(err.Error(), "cannot unmarshal") {
		return "wrong type"
	}
	return "cannot decode"
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a number"
}

// queryLimit parses ?limit= (default 50, at most 200).
func queryLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, domain.Errorf(domain.CodeBadRequest, "limit must be a positive integer")
	}
	return min(n, 200), nil
}

// ifMatch returns the version in an If-Match header, or 0 when there is none.
func ifMatch(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, nil
	}
	v = strings.TrimPrefix(v, "W/")
	n, err := strconv.Atoi(strings.Trim(v, `"`))
	if err != nil || n < 1 {
		return 0, domain.Errorf(domain.CodeBadRequest, "If-Match must be a quoted version number")
	}
	return n, nil
}

func etag(version int) string { return fmt.Sprintf(`"%d"`, version) }
