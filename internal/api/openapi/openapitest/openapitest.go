// Package openapitest checks live HTTP exchanges against the platform's OpenAPI
// document: a Client sends each request to a running server, validates the request
// and the response with libopenapi-validator, and records which operations and
// status codes were exercised, so a test can prove the document describes what the
// server really does.
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/openivr/ivr/internal/api/openapi"
)

// Request is one scripted request.
type Request struct {
	Method string
	Path   string // with the query string, if any
	Token  string // bearer token; "" sends none
	// Body is nil, a []byte or string sent as is, or a value encoded as JSON.
	Body any
	// ContentType defaults to application/json when there is a body.
	ContentType string
	Header      []string // extra headers as name, value pairs
	// Invalid says the document must refuse this request (malformed or unknown
	// fields, no credentials, a value outside an enum...). The request is still
	// sent, and its response must still match the document.
	Invalid bool
}

// NewRequest returns a request with a bearer token ("" for none) and a body,
// adjusted by the options.
func NewRequest(method, path, token string, body any, opts ...func(*Request)) Request {
	r := Request{Method: method, Path: path, Token: token, Body: body}
	for _, o := range opts {
		o(&r)
	}
	return r
}

// Invalid marks a request the document must refuse.
func Invalid(r *Request) { r.Invalid = true }

// WithHeader adds request headers given as name, value pairs.
func WithHeader(kv ...string) func(*Request) {
	return func(r *Request) { r.Header = append(r.Header, kv...) }
}

// Response is a finished exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Map decodes the body as a JSON object, failing the test when it is not one.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("decode response body: %v", err)
	}
	return m
}

// String returns the string at key of the JSON object body, or "".
func (r Response) String(tb testing.TB, key string) string {
	tb.Helper()
	s, _ := r.Map(tb)[key].(string)
	return s
}

// Client sends requests to a server and checks every exchange against the
// document.
type Client struct {
	URL  string
	HTTP *http.Client
	v    validator.Validator // strict: undeclared properties, parameters and headers fail
	open validator.Validator // for the operations in openBodies
	ops  []operation

	mu    sync.Mutex
	seen  map[string]map[int]bool
	count int
}

// openBodies are the operations whose response bodies are documents of another
// standard (the OpenAPI document itself, FHIR resources): they are validated
// against their schemas, but undeclared properties are allowed.
var openBodies = map[string]bool{
	"GET /api/v1/openapi.json":                         true,
	"POST /fhir/r4/CoverageEligibilityRequest/$submit": true,
}

// freeForm are instance paths whose content the document leaves open: the
// normalised 271 summary of an eligibility check.
var freeForm = []string{"$.body.items[*].summary", "$.body.items[*].summary.**"}

// everyResponse are the headers the middleware sets on every response (the
// document's info.description lists them), so no operation declares them.
var everyResponse = []string{"Content-Security-Policy", "X-Content-Type-Options",
	"X-Frame-Options", "Referrer-Policy", "Strict-Transport-Security",
	"Cross-Origin-Opener-Policy", "Permissions-Policy", "X-Request-Id", "Cache-Control"}

type operation struct {
	name string // "METHOD /template"
	re   *regexp.Regexp
}

// MustNew returns a client for the server at baseURL (scheme, host and port),
// validating with format assertions and the standard body decoders (JSON,
// multipart, text, binary).
func MustNew(tb testing.TB, baseURL string, hc *http.Client) *Client {
	tb.Helper()
	doc, err := libopenapi.NewDocument(openapi.Document())
	if err != nil {
		tb.Fatalf("parse openapi document: %v", err)
	}
	base := []config.Option{config.WithFormatAssertions(), config.WithStandardBodyDecoders()}
	v, errs := validator.NewValidator(doc, append(base, config.WithStrictMode(),
		config.WithStrictIgnorePaths(freeForm...),
		config.WithStrictIgnoredHeadersExtra(everyResponse...))...)
	if len(errs) > 0 {
		tb.Fatalf("build validator: %v", errs)
	}
	open, errs := validator.NewValidator(doc, base...)
	if len(errs) > 0 {
		tb.Fatalf("build validator: %v", errs)
	}
	paths, err := openapi.Paths()
	if err != nil {
		tb.Fatal(err)
	}
	c := &Client{URL: strings.TrimRight(baseURL, "/"), HTTP: hc, v: v, open: open,
		seen: map[string]map[int]bool{}}
	for _, p := range paths {
		method, tmpl, _ := strings.Cut(p, " ")
		expr := regexp.QuoteMeta(tmpl)
		expr = strings.ReplaceAll(expr, `\{id\}`, `[^/]+`)
		c.ops = append(c.ops, operation{name: p, re: regexp.MustCompile("^" + method + " " + expr + "$")})
	}
	return c
}

// Do sends r, checks the exchange against the document and fails the test when
// the status is not want. Document mismatches are reported with t.Errorf so one
// run shows them all; an unexpected status stops the test, since later steps
// depend on earlier ones.
func (c *Client) Do(tb testing.TB, want int, r Request) Response {
	tb.Helper()
	got := c.Send(tb, r)
	if got.Status != want {
		tb.Fatalf("%s %s: status %d, want %d; body %s", r.Method, r.Path, got.Status, want,
			truncate(got.Body))
	}
	return got
}

// Send is Do without the status check, for steps whose outcome may vary.
func (c *Client) Send(tb testing.TB, r Request) Response {
	tb.Helper()
	body, ctype := encodeBody(tb, r)
	req := c.newRequest(tb, r, body, ctype)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", r.Method, r.Path, err)
	}
	got := Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
	c.Check(tb, r, body, ctype, resp, out)
	return got
}

// Check validates one exchange: the request (which must be valid unless
// r.Invalid, in which case the document must refuse it) and the response.
func (c *Client) Check(tb testing.TB, r Request, body []byte, ctype string, resp *http.Response,
	respBody []byte) {
	tb.Helper()
	op := c.record(r, resp.StatusCode)
	v := c.v
	if openBodies[op] {
		v = c.open
	}
	ok, errs := v.ValidateHttpRequest(c.newRequest(tb, r, body, ctype))
	switch {
	case r.Invalid && ok:
		tb.Errorf("%s: the document accepts a request the script marks invalid (server said %d)",
			op, resp.StatusCode)
	case !r.Invalid && !ok:
		tb.Errorf("%s: request does not match the document:\n%s", op, describe(errs))
	}
	copyResp := *resp
	copyResp.Body = io.NopCloser(bytes.NewReader(respBody))
	if ok, errs := v.ValidateHttpResponse(c.newRequest(tb, r, body, ctype), &copyResp); !ok {
		tb.Errorf("%s: %d response does not match the document:\n%s\nbody: %s", op,
			resp.StatusCode, describe(errs), truncate(respBody))
	}
}

func (c *Client) newRequest(tb testing.TB, r Request, body []byte, ctype string) *http.Request {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(r.Method, c.URL+r.Path, rd)
	if err != nil {
		tb.Fatalf("new request %s %s: %v", r.Method, r.Path, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for i := 0; i+1 < len(r.Header); i += 2 {
		req.Header.Set(r.Header[i], r.Header[i+1])
	}
	return req
}

func encodeBody(tb testing.TB, r Request) ([]byte, string) {
	tb.Helper()
	ctype := r.ContentType
	var body []byte
	switch b := r.Body.(type) {
	case nil:
		return nil, ctype
	case []byte:
		body = b
	case string:
		body = []byte(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatalf("encode body of %s %s: %v", r.Method, r.Path, err)
		}
		body = raw
	}
	if ctype == "" {
		ctype = "application/json"
	}
	return body, ctype
}

// record notes the operation and status, returning the operation's name.
func (c *Client) record(r Request, status int) string {
	path, _, _ := strings.Cut(r.Path, "?")
	name := r.Method + " " + path + " (not in the document)"
	for _, op := range c.ops {
		if op.re.MatchString(r.Method + " " + path) {
			name = op.name
			break
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen[name] == nil {
		c.seen[name] = map[int]bool{}
	}
	c.seen[name][status] = true
	c.count++
	return name
}

// Coverage returns, for each operation of the document, the status codes seen,
// sorted; operations never exercised have an empty list.
func (c *Client) Coverage() map[string][]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string][]int{}
	for _, op := range c.ops {
		out[op.name] = nil
		for s := range c.seen[op.name] {
			out[op.name] = append(out[op.name], s)
		}
		sort.Ints(out[op.name])
	}
	return out
}

// Exchanges returns how many exchanges were checked.
func (c *Client) Exchanges() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

func describe(errs []*verrors.ValidationError) string {
	var b strings.Builder
	for _, e := range errs {
		fmt.Fprintf(&b, "  - %s: %s\n", e.Message, e.Reason)
		for _, s := range e.SchemaValidationErrors {
			fmt.Fprintf(&b, "      at %s (%s): %s\n", s.FieldPath, s.KeywordLocation, s.Reason)
		}
	}
	return b.String()
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}
