package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// wantPaths is every route the server registers, written out from API.md and the list
// of additional routes; the document must hold exactly these operations.
var wantPaths = []string{
	"DELETE /api/v1/tokens/{id}",
	"GET /api/v1/audit",
	"GET /api/v1/documents/{id}",
	"GET /api/v1/events",
	"GET /api/v1/facilities",
	"GET /api/v1/ivrs",
	"GET /api/v1/ivrs/{id}",
	"GET /api/v1/ivrs/{id}/documents",
	"GET /api/v1/ivrs/{id}/eligibility",
	"GET /api/v1/ivrs/{id}/history",
	"GET /api/v1/ivrs/{id}/messages",
	"GET /api/v1/me",
	"GET /api/v1/openapi.json",
	"GET /api/v1/orders",
	"GET /api/v1/orders/{id}",
	"GET /api/v1/patients",
	"GET /api/v1/patients/{id}",
	"GET /api/v1/patients/{id}/access-log",
	"GET /api/v1/payers",
	"GET /api/v1/products",
	"GET /api/v1/queue",
	"GET /api/v1/territories",
	"GET /api/v1/tokens",
	"GET /api/v1/users",
	"GET /healthz",
	"GET /metrics",
	"GET /readyz",
	"PATCH /api/v1/ivrs/{id}",
	"PATCH /api/v1/patients/{id}",
	"POST /api/v1/auth/login",
	"POST /api/v1/auth/logout",
	"POST /api/v1/auth/mfa",
	"POST /api/v1/auth/mfa/confirm",
	"POST /api/v1/auth/mfa/enroll",
	"POST /api/v1/auth/mfa/reset",
	"POST /api/v1/me/email",
	"POST /api/v1/break-glass",
	"POST /api/v1/ivrs",
	"POST /api/v1/ivrs/{id}/approve",
	"POST /api/v1/ivrs/{id}/assign",
	"POST /api/v1/ivrs/{id}/cancel",
	"POST /api/v1/ivrs/{id}/deny",
	"POST /api/v1/ivrs/{id}/documents",
	"POST /api/v1/ivrs/{id}/eligibility",
	"POST /api/v1/ivrs/{id}/escalate",
	"POST /api/v1/ivrs/{id}/messages",
	"POST /api/v1/ivrs/{id}/request-info",
	"POST /api/v1/ivrs/{id}/respond",
	"POST /api/v1/ivrs/{id}/submit",
	"POST /api/v1/orders",
	"POST /api/v1/orders/{id}/cancel",
	"POST /api/v1/orders/{id}/deliver",
	"POST /api/v1/orders/{id}/prepare",
	"POST /api/v1/orders/{id}/ship",
	"POST /api/v1/patients",
	"POST /api/v1/payers",
	"POST /api/v1/practices/{id}/move",
	"POST /api/v1/products",
	"POST /api/v1/tokens",
	"POST /api/v1/users",
	"POST /api/v1/users/{id}/disable",
	"POST /fhir/r4/CoverageEligibilityRequest/$submit",
	"PUT /api/v1/users/{id}/territories",
}

func TestPaths(t *testing.T) {
	got, err := Paths()
	if err != nil {
		t.Fatalf("Paths: %v", err)
	}
	want := append([]string(nil), wantPaths...)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Paths() mismatch (-want +got):\n%s", diff)
	}
}

func TestDocumentIsACopy(t *testing.T) {
	a := Document()
	a[0] = 'x'
	if b := Document(); b[0] != '{' {
		t.Errorf("Document()[0] = %q after changing an earlier copy, want '{'", b[0])
	}
}

// TestValidOpenAPI31 checks the document against the OpenAPI 3.1 schema and builds
// its model, which resolves every reference.
func TestValidOpenAPI31(t *testing.T) {
	doc, err := libopenapi.NewDocument(Document())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Errorf("openapi version = %q, want 3.1.0", v)
	}
	if _, err := doc.BuildV3Model(); err != nil {
		t.Errorf("build model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("new validator: %v", errs)
	}
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		t.Errorf("schema: %s: %s", e.Message, e.Reason)
		for _, f := range e.SchemaValidationErrors {
			t.Errorf("  at %s (%s): %s", f.FieldPath, f.KeywordLocation, f.Reason)
		}
	}
	if !ok {
		t.Error("document is not a valid OpenAPI 3.1 document")
	}
}

// MustDecode parses the embedded document as a generic JSON tree.
func MustDecode(tb testing.TB) map[string]any {
	tb.Helper()
	var doc map[string]any
	if err := json.Unmarshal(Document(), &doc); err != nil {
		tb.Fatalf("decode document: %v", err)
	}
	return doc
}

func TestRefsResolve(t *testing.T) {
	doc := MustDecode(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && lookup(doc, ref) == nil {
				t.Errorf("%s: $ref %q does not resolve", path, ref)
			}
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", path, i), e)
			}
		}
	}
	walk("#", doc)
}

// lookup follows a local JSON pointer reference, returning nil when it leads nowhere.
func lookup(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		if cur, ok = m[part]; !ok {
			return nil
		}
	}
	return cur
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// TestOperations checks that every operation has an id, responses, and a declaration
// for every parameter of its path.
func TestOperations(t *testing.T) {
	doc := MustDecode(t)
	ids := map[string]string{}
	for path, rawItem := range doc["paths"].(map[string]any) {
		item := rawItem.(map[string]any)
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			name := strings.ToUpper(m) + " " + path
			t.Run(name, func(t *testing.T) {
				op := raw.(map[string]any)
				checkOperation(t, doc, path, item, op)
				id, _ := op["operationId"].(string)
				if prev, dup := ids[id]; dup {
					t.Errorf("operationId %q also used by %s", id, prev)
				}
				ids[id] = name
			})
		}
	}
}

func checkOperation(t *testing.T, doc map[string]any, path string, item, op map[string]any) {
	t.Helper()
	if id, _ := op["operationId"].(string); id == "" {
		t.Error("no operationId")
	}
	if rs, _ := op["responses"].(map[string]any); len(rs) == 0 {
		t.Error("no responses")
	}
	declared := map[string]bool{}
	for _, list := range []any{item["parameters"], op["parameters"]} {
		ps, _ := list.([]any)
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			if ref, ok := pm["$ref"].(string); ok {
				pm, _ = lookup(doc, ref).(map[string]any)
			}
			if pm["in"] == "path" {
				declared[pm["name"].(string)] = true
			}
		}
	}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			t.Errorf("path parameter %q is not declared", m[1])
		}
	}
}

// TestRequestBodiesClosed checks that every JSON request body refuses unknown fields.
func TestRequestBodiesClosed(t *testing.T) {
	doc := MustDecode(t)
	for path, rawItem := range doc["paths"].(map[string]any) {
		for m, raw := range rawItem.(map[string]any) {
			op, ok := raw.(map[string]any)
			if !ok || op["requestBody"] == nil {
				continue
			}
			ref := bodySchemaRef(op, "application/json")
			if ref == "" {
				continue
			}
			schema, _ := lookup(doc, ref).(map[string]any)
			if schema["additionalProperties"] != false {
				t.Errorf("%s %s: body %s lacks additionalProperties: false", m, path, ref)
			}
		}
	}
}

func bodySchemaRef(op map[string]any, media string) string {
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	mt, _ := content[media].(map[string]any)
	schema, _ := mt["schema"].(map[string]any)
	ref, _ := schema["$ref"].(string)
	return ref
}

// TestRequestExamples runs the example bodies of API.md, and bodies that must be
// refused, through a request validator built from the document.
func TestRequestExamples(t *testing.T) {
	doc, err := libopenapi.NewDocument(Document())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("new validator: %v", errs)
	}
	tests := []struct {
		name, method, path, body string
		wantOK                   bool
	}{
		{"login", "POST", "/api/v1/auth/login", `{"email":"a@example.com","password":"pw"}`, true},
		{"login unknown field", "POST", "/api/v1/auth/login",
			`{"email":"a@example.com","password":"pw","admin":true}`, false},
		{"mfa", "POST", "/api/v1/auth/mfa", `{"mfa_token":"t","code":"123456"}`, true},
		{"mfa bad code", "POST", "/api/v1/auth/mfa", `{"mfa_token":"t","code":"12a"}`, false},
		{"patient", "POST", "/api/v1/patients", examplePatient, true},
		{"patient sets id", "POST", "/api/v1/patients",
			strings.Replace(examplePatient, "{", `{"id":"x",`, 1), false},
		{"ivr draft", "POST", "/api/v1/ivrs", exampleIVR, true},
		{"ivr sets status", "POST", "/api/v1/ivrs",
			strings.Replace(exampleIVR, "{", `{"status":"approved",`, 1), false},
		{"ivr patch", "PATCH", "/api/v1/ivrs/abc", `{"applications": 6}`, true},
		{"ivr patch practice", "PATCH", "/api/v1/ivrs/abc", `{"practice_id": "p"}`, false},
		{"approve", "POST", "/api/v1/ivrs/abc/approve", exampleApprove, true},
		{"deny", "POST", "/api/v1/ivrs/abc/deny", `{"reason_code":"not_covered","reason":"no"}`, true},
		{"deny no reason", "POST", "/api/v1/ivrs/abc/deny", `{"reason_code":"not_covered"}`, false},
		{"request info", "POST", "/api/v1/ivrs/abc/request-info",
			`{"items":["wound photo"],"due_date":"2026-12-20"}`, true},
		{"order", "POST", "/api/v1/orders",
			`{"ivr_id":"i","items":[{"product_id":"p","size":"2x3 cm","quantity":2}]}`, true},
		{"ship", "POST", "/api/v1/orders/o/ship",
			`{"carrier":"ups","tracking_number":"1Z","expected_delivery":"2026-12-12"}`, true},
		{"deliver bad condition", "POST", "/api/v1/orders/o/deliver",
			`{"condition":"lost"}`, false},
		{"break glass", "POST", "/api/v1/break-glass",
			`{"patient_id":"p","reason":"patient in ER, clinic closed","code":"123456"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path,
				bytes.NewBufferString(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer t")
			got, verrs := v.ValidateHttpRequest(req)
			if got != tt.wantOK {
				t.Errorf("valid = %v, want %v; errors: %v", got, tt.wantOK, messages(verrs))
			}
		})
	}
}

func messages[E error](es []E) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Error())
	}
	return out
}

const examplePatient = `{"first_name": "Ada", "middle_name": "", "last_name": "Quill",
 "birth_date": "1950-04-02", "sex": "female", "mrn": "MRN-1001", "phone": "+1-555-0100",
 "email": "", "address": {"line1": "1 Main St", "line2": "", "city": "Newark",
 "state": "NJ", "zip": "07102"},
 "flags": {"in_snf": false, "part_a_stay": false, "hospice": false, "global_period": false},
 "coverages": [{"rank": 1, "payer_id": "p1", "plan_type": "medicare_ffs",
   "member_id": "1EG4TE5MK73", "group_number": "", "relationship": "self",
   "effective_date": "2026-01-01"}]}`

const exampleIVR = `{"patient_id": "p", "facility_id": "f", "place_of_service": "11",
 "request_type": "new",
 "wound": {"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
   "length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4,
   "duration_weeks": 8, "conservative_care_weeks": 4},
 "diagnosis_codes": ["E11.621", "L97.422"],
 "products": [{"product_id": "q", "size": "2x3 cm", "quantity": 4}],
 "applications": 4, "frequency": "weekly", "start_date": "2026-12-10"}`

const exampleApprove = `{"valid_until": "2027-03-01", "notes": "n",
 "payer_reference": "call ref 123",
 "benefits": [{"coverage_rank": 1, "active": true, "plan_type": "medicare_ffs",
   "network": "in", "deductible_cents": 25700, "deductible_met_cents": 25700,
   "oop_max_cents": 0, "oop_met_cents": 0, "copay_cents": 0, "coinsurance_percent": 20,
   "prior_auth": {"required": false}, "mac": "JL", "lcd": "L35041",
   "product_on_lcd": true}]}`
