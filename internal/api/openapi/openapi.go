// Package openapi holds the OpenAPI 3.1 document of the platform's HTTP API, kept by
// hand in openapi.json and embedded in the binary so the server can serve it at
// GET /api/v1/openapi.json and tests can compare it with the route table.
package openapi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed openapi.json
var document []byte

// methods are the operation keys of an OpenAPI path item, in the order they are
// reported.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// Document returns the OpenAPI document as JSON. The caller gets its own copy and may
// change it.
func Document() []byte {
	return append([]byte(nil), document...)
}

// Paths returns every operation of the document as "METHOD /path", the form
// http.ServeMux patterns take (path parameters are written {id} in both), sorted.
// It returns an error when the document cannot be parsed.
func Paths() ([]string, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(document, &doc); err != nil {
		return nil, fmt.Errorf("parse openapi document: %w", err)
	}
	var out []string
	for path, item := range doc.Paths {
		for _, m := range methods {
			if _, ok := item[m]; ok {
				out = append(out, strings.ToUpper(m)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
