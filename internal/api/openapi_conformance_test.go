package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/openivr/ivr/internal/api/openapi/openapitest"
	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/store"
)

// oas is the conformance script's state: the platform, the checking client and
// the tokens of the demo accounts.
type oas struct {
	env    *apitest.Env
	c      *openapitest.Client
	tokens map[string]string
}

// Shorthands for building scripted requests.
var (
	req     = openapitest.NewRequest
	invalid = openapitest.Invalid
	header  = openapitest.WithHeader
)

// TestOpenAPIConformance drives the running platform through every route family
// with real requests, good and bad, and validates every request and every
// response against the OpenAPI document.
func TestOpenAPIConformance(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	s := &oas{env: env, c: openapitest.MustNew(t, env.URL, env.Client), tokens: map[string]string{}}
	s.public(t)
	s.authFlows(t)
	s.reference(t)
	patientID := s.patients(t)
	approved := s.ivrWorkflow(t, patientID)
	s.ivrOtherActions(t, patientID)
	s.orders(t, approved)
	s.admin(t, patientID)
	s.fhir(t)
	s.events(t)
	s.throttle(t)
	s.coverage(t)
}

// login signs a demo account in through the checked client, answering the MFA
// challenge with the current TOTP code.
func (s *oas) login(t *testing.T, email string) string {
	t.Helper()
	if tok, ok := s.tokens[email]; ok {
		return tok
	}
	acct := s.env.Account(t, email)
	r := s.c.Do(t, 200, req("POST", "/api/v1/auth/login", "",
		map[string]string{"email": email, "password": acct.Password}))
	tok := r.String(t, "token")
	if mfa := r.String(t, "mfa_token"); mfa != "" {
		tok = s.answerMFA(t, acct.TOTPSecret, mfa)
	}
	s.tokens[email] = tok
	return tok
}

// answerMFA posts the TOTP code of the current step, waiting for the next step
// when this one was already used.
func (s *oas) answerMFA(t *testing.T, secret, mfaToken string) string {
	t.Helper()
	for i := 0; i < 3; i++ {
		code, err := auth.DefaultTOTP.Code(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]string{"mfa_token": mfaToken, "code": code}
		r := s.c.Send(t, req("POST", "/api/v1/auth/mfa", "", body))
		if r.Status == 200 {
			return r.String(t, "token")
		}
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
	}
	t.Fatal("mfa answer refused three times")
	return ""
}

func (s *oas) public(t *testing.T) {
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json"} {
		s.c.Do(t, 200, req("GET", p, "", nil))
	}
}

func (s *oas) authFlows(t *testing.T) {
	doctor := s.login(t, "doctor.harborview@demo.example")
	s.login(t, "admin@demo.example")
	login := "/api/v1/auth/login"
	s.c.Do(t, 401, req("POST", login, "", map[string]string{"email": "doctor.harborview@demo.example",
		"password": "not-the-password-1"}))
	s.c.Do(t, 400, req("POST", login, "", `{"email":`, invalid))
	s.c.Do(t, 422, req("POST", login, "", map[string]any{"email": "a@b.example", "password": "x",
		"admin": true}, invalid))
	s.c.Do(t, 401, req("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": "nope",
		"code": "123456"}))
	s.c.Do(t, 200, req("GET", "/api/v1/me", doctor, nil))
	s.c.Do(t, 200, req("POST", login+"?cookie=1", "", map[string]string{
		"email": "logistics@demo.example", "password": s.env.Account(t, "logistics@demo.example").Password}))
	s.c.Do(t, 401, req("GET", "/api/v1/me", "", nil, invalid))
	s.c.Do(t, 401, req("GET", "/api/v1/me", "not-a-token", nil))
	s.c.Do(t, 409, req("POST", "/api/v1/auth/mfa/enroll", doctor, nil))
}

func (s *oas) reference(t *testing.T) {
	admin := s.login(t, "admin@demo.example")
	rep := s.login(t, "rep.harborview@demo.example")
	for _, tok := range []string{s.login(t, "doctor.harborview@demo.example"), rep} {
		for _, p := range []string{"territories", "products", "payers", "facilities"} {
			s.c.Do(t, 200, req("GET", "/api/v1/"+p, tok, nil))
		}
	}
	payer := map[string]any{"name": "Conformance Health", "kind": "commercial",
		"plan_types": []string{"commercial"}, "mac": "", "payer_ids": map[string]string{"x12": "CONF1"}}
	s.c.Do(t, 201, req("POST", "/api/v1/payers", admin, payer))
	s.c.Do(t, 403, req("POST", "/api/v1/payers", rep, payer))
	s.c.Do(t, 422, req("POST", "/api/v1/payers", admin, map[string]any{"name": "x", "id": "y"}, invalid))
	product := map[string]any{"name": "Conformance Matrix", "manufacturer": "Acme Bio",
		"hcpcs": "Q4999", "fda_category": "Section 361 HCT/P",
		"sizes": []map[string]any{{"label": "2x2 cm", "area_cm2": 4}}}
	key := header("Idempotency-Key", "conf-product-1")
	first := s.c.Do(t, 201, req("POST", "/api/v1/products", admin, product, key))
	again := s.c.Do(t, 201, req("POST", "/api/v1/products", admin, product, key))
	if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("idempotent replay: %s vs %s", first.Body, again.Body)
	}
	product["name"] = "Another Matrix"
	s.c.Do(t, 422, req("POST", "/api/v1/products", admin, product, key))
	s.c.Do(t, 403, req("GET", "/api/v1/users", rep, nil))
}

func (s *oas) patients(t *testing.T) string {
	doctor := s.login(t, "doctor.harborview@demo.example")
	rep := s.login(t, "rep.harborview@demo.example")
	payers := s.c.Do(t, 200, req("GET", "/api/v1/payers", doctor, nil)).Map(t)
	payerID := payers["items"].([]any)[0].(map[string]any)["id"]
	in := map[string]any{"first_name": "Ada", "middle_name": "", "last_name": "Quill",
		"birth_date": "1950-04-02", "sex": "female", "mrn": "MRN-CONF-1", "phone": "+1-555-0100",
		"email": "", "address": map[string]string{"line1": "1 Main St", "line2": "",
			"city": "Newark", "state": "NJ", "zip": "07102"},
		"flags": map[string]bool{"in_snf": false, "part_a_stay": false, "hospice": false,
			"global_period": false},
		"coverages": []map[string]any{{"rank": 1, "payer_id": payerID, "plan_type": "medicare_ffs",
			"member_id": "1EG4TE5MK73", "group_number": "", "relationship": "self",
			"effective_date": "2026-01-01"}}}
	created := s.c.Do(t, 201, req("POST", "/api/v1/patients", doctor, in))
	id := created.String(t, "id")
	in["id"] = "chosen"
	s.c.Do(t, 422, req("POST", "/api/v1/patients", doctor, in, invalid))
	delete(in, "id")
	in["sex"], in["birth_date"] = "robot", "1950-13-40"
	s.c.Do(t, 422, req("POST", "/api/v1/patients", doctor, in, invalid))
	big := `{"first_name":"` + strings.Repeat("a", 2<<20) + `"}`
	s.c.Do(t, 413, req("POST", "/api/v1/patients", doctor, big, invalid))
	s.c.Do(t, 403, req("POST", "/api/v1/patients", rep, map[string]any{}, invalid))

	s.c.Do(t, 200, req("GET", "/api/v1/patients", doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/patients?q=Quill+1950-04-02&limit=2", doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/patients?q=1EG4TE5MK73", doctor, nil))
	s.c.Do(t, 400, req("GET", "/api/v1/patients?limit=lots", doctor, nil, invalid))
	s.c.Do(t, 403, req("GET", "/api/v1/patients", rep, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/patients/"+id, doctor, nil))
	s.c.Do(t, 404, req("GET", "/api/v1/patients/no-such-patient", doctor, nil))
	s.c.Do(t, 403, req("GET", "/api/v1/patients/"+id, rep, nil))
	p := "/api/v1/patients/" + id
	s.c.Do(t, 200, req("PATCH", p, doctor, map[string]any{"phone": "+1-555-0199"},
		header("If-Match", `"1"`)))
	s.c.Do(t, 412, req("PATCH", p, doctor, map[string]any{"phone": "+1-555-0198"},
		header("If-Match", `"1"`)))
	s.c.Do(t, 400, req("PATCH", p, doctor, map[string]any{"phone": "+1-555-0198"},
		header("If-Match", "yesterday"), invalid))
	s.c.Do(t, 422, req("PATCH", p, doctor, map[string]any{"practice_id": "x"}, invalid))
	s.c.Do(t, 200, req("PATCH", p, doctor, map[string]any{"address": map[string]string{
		"line1": "2 Main St", "line2": "", "city": "Newark", "state": "NJ", "zip": "07102"}}))
	s.c.Do(t, 200, req("GET", p+"/access-log", doctor, nil))
	s.c.Do(t, 200, req("GET", p+"/access-log?limit=1", s.login(t, "admin@demo.example"), nil))
	s.c.Do(t, 403, req("GET", p+"/access-log", rep, nil))
	return id
}

// ivrBody is a valid IVR draft for the patient, using the first facility and
// product the doctor sees.
func (s *oas) ivrBody(t *testing.T, patientID string) map[string]any {
	doctor := s.login(t, "doctor.harborview@demo.example")
	fac := s.c.Do(t, 200, req("GET", "/api/v1/facilities", doctor, nil)).Map(t)
	prods := s.c.Do(t, 200, req("GET", "/api/v1/products", doctor, nil)).Map(t)
	prod := prods["items"].([]any)[0].(map[string]any)
	size := prod["sizes"].([]any)[0].(map[string]any)["label"]
	return map[string]any{"patient_id": patientID,
		"facility_id":      fac["items"].([]any)[0].(map[string]any)["id"],
		"place_of_service": "11", "request_type": "new",
		"wound": map[string]any{"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
			"length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4, "duration_weeks": 8,
			"conservative_care_weeks": 4},
		"diagnosis_codes": []string{"E11.621", "L97.422"},
		"products":        []map[string]any{{"product_id": prod["id"], "size": size, "quantity": 4}},
		"applications":    4, "frequency": "weekly",
		"start_date": time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")}
}

// newIVR creates a draft and returns its id.
func (s *oas) newIVR(t *testing.T, patientID string) string {
	doctor := s.login(t, "doctor.harborview@demo.example")
	return s.c.Do(t, 201, req("POST", "/api/v1/ivrs", doctor, s.ivrBody(t, patientID))).String(t, "id")
}

// act posts an IVR action and returns the response.
func (s *oas) act(t *testing.T, want int, tok, id, action string, body any,
	opts ...func(*openapitest.Request)) openapitest.Response {
	return s.c.Do(t, want, req("POST", "/api/v1/ivrs/"+id+"/"+action, tok, body, opts...))
}

func approval() map[string]any {
	return map[string]any{"notes": "verified by phone", "payer_reference": "call ref 123",
		"benefits": []map[string]any{{"coverage_rank": 1, "active": true,
			"plan_type": "medicare_ffs", "network": "in", "deductible_cents": 25700,
			"deductible_met_cents": 25700, "oop_max_cents": 0, "oop_met_cents": 0,
			"copay_cents": 0, "coinsurance_percent": 20, "prior_auth": map[string]any{"required": false},
			"mac": "JL", "lcd": "L35041", "product_on_lcd": true}}}
}

func (s *oas) ivrWorkflow(t *testing.T, patientID string) string {
	doctor := s.login(t, "doctor.harborview@demo.example")
	spec := s.login(t, "specialist@demo.example")
	rep := s.login(t, "rep.harborview@demo.example")
	body := s.ivrBody(t, patientID)
	body["status"] = "approved"
	s.c.Do(t, 422, req("POST", "/api/v1/ivrs", doctor, body, invalid))
	id := s.newIVR(t, patientID)
	p := "/api/v1/ivrs/" + id
	for _, sub := range []string{"/messages", "/documents", "/eligibility", "/history"} {
		s.c.Do(t, 200, req("GET", p+sub, doctor, nil))
	}
	s.c.Do(t, 200, req("GET", "/api/v1/orders?ivr_id="+id, doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/patients?q=Nobodyatall", doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/ivrs?patient_id=no-such-patient", doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/queue?patient_id=no-such-patient", spec, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/audit?user_id=no-such-user", s.login(t, "admin@demo.example"), nil))
	s.c.Do(t, 200, req("GET", "/api/v1/facilities", spec, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/territories", s.login(t, "logistics@demo.example"), nil))
	s.c.Do(t, 200, req("GET", p, doctor, nil))
	s.c.Do(t, 200, req("GET", p, rep, nil))
	s.c.Do(t, 404, req("GET", "/api/v1/ivrs/no-such-ivr", doctor, nil))
	s.c.Do(t, 200, req("PATCH", p, doctor, map[string]any{"applications": 6}))
	s.c.Do(t, 422, req("PATCH", p, doctor, map[string]any{"practice_id": "p"}, invalid))
	for _, q := range []string{"", "?status=draft", "?status=draft,submitted&limit=1", "?patient_id=" + patientID} {
		s.c.Do(t, 200, req("GET", "/api/v1/ivrs"+q, doctor, nil))
	}
	s.c.Do(t, 200, req("GET", "/api/v1/ivrs", rep, nil))
	s.c.Do(t, 400, req("GET", "/api/v1/ivrs?status=bogus", doctor, nil, invalid))
	s.documents(t, id)
	s.act(t, 422, doctor, id, "submit", map[string]any{"attest": true}, invalid)
	s.act(t, 422, doctor, id, "submit", map[string]any{}, header("Idempotency-Key",
		strings.Repeat("k", 201)), invalid)
	s.act(t, 200, doctor, id, "submit", map[string]any{}, header("Idempotency-Key", "conf-submit"))
	s.act(t, 200, doctor, id, "submit", map[string]any{}, header("Idempotency-Key", "conf-submit"))
	s.act(t, 409, doctor, id, "submit", nil)
	s.c.Do(t, 200, req("GET", "/api/v1/queue", spec, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/queue?status=submitted", spec, nil))
	s.c.Do(t, 403, req("GET", "/api/v1/queue", rep, nil))
	s.act(t, 200, spec, id, "assign", nil)
	s.act(t, 422, spec, id, "request-info", map[string]any{"items": []string{"photo"},
		"due_date": "soon"}, invalid)
	ver := s.act(t, 200, spec, id, "request-info", map[string]any{"items": []string{"wound photo"},
		"due_date": time.Now().UTC().AddDate(0, 0, 5).Format("2006-01-02")}).Header.Get("ETag")
	s.c.Do(t, 200, req("GET", p+"/messages", doctor, nil))
	s.c.Do(t, 201, req("POST", p+"/messages", doctor, map[string]string{"message": "photo attached"}))
	s.c.Do(t, 422, req("POST", p+"/messages", doctor, map[string]string{"body": "x"}, invalid))
	s.act(t, 412, doctor, id, "respond", map[string]string{"message": "x"}, header("If-Match", `"1"`))
	s.act(t, 200, doctor, id, "respond", map[string]string{"message": "photo uploaded"},
		header("If-Match", ver))
	s.act(t, 200, spec, id, "assign", nil)
	s.act(t, 200, spec, id, "approve", approval())
	s.act(t, 403, rep, id, "approve", approval())
	s.c.Do(t, 200, req("GET", p, rep, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/ivrs?status=approved", rep, nil))
	s.c.Do(t, 200, req("GET", p+"/history", doctor, nil))
	s.c.Do(t, 200, req("GET", p+"/history", rep, nil))
	s.c.Do(t, 200, req("GET", p+"/eligibility", spec, nil))
	s.c.Do(t, 202, req("POST", p+"/eligibility", spec, nil))
	s.c.Do(t, 403, req("POST", p+"/eligibility", doctor, nil))
	s.c.Do(t, 200, req("GET", p, spec, nil))
	return id
}

func (s *oas) documents(t *testing.T, ivrID string) {
	doctor := s.login(t, "doctor.harborview@demo.example")
	p := "/api/v1/ivrs/" + ivrID + "/documents"
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("kind", "clinical_notes")
	fw, _ := mw.CreateFormFile("file", "notes.pdf")
	fw.Write([]byte("%PDF-1.4\n% clinical note\n%%EOF\n"))
	mw.Close()
	up := req("POST", p, doctor, buf.Bytes())
	up.ContentType = mw.FormDataContentType()
	docID := s.c.Do(t, 201, up).String(t, "id")

	buf.Reset()
	mw = multipart.NewWriter(&buf)
	mw.WriteField("kind", "clinical_notes")
	mw.Close()
	noFile := req("POST", p, doctor, buf.Bytes(), invalid)
	noFile.ContentType = mw.FormDataContentType()
	s.c.Do(t, 422, noFile)
	s.c.Do(t, 200, req("GET", p, doctor, nil))
	s.c.Do(t, 200, req("GET", "/api/v1/documents/"+docID, doctor, nil))
	s.c.Do(t, 404, req("GET", "/api/v1/documents/no-such-doc", doctor, nil))
	s.c.Do(t, 403, req("GET", p, s.login(t, "rep.harborview@demo.example"), nil))
}

func (s *oas) ivrOtherActions(t *testing.T, patientID string) {
	doctor := s.login(t, "doctor.harborview@demo.example")
	spec := s.login(t, "specialist@demo.example")
	denied := s.newIVR(t, patientID)
	s.act(t, 200, doctor, denied, "submit", "")
	s.act(t, 200, spec, denied, "assign", map[string]string{})
	s.act(t, 200, spec, denied, "escalate", map[string]string{"reason": "payer portal down"})
	s.act(t, 422, spec, denied, "deny", map[string]string{"reason_code": "nope", "reason": "x"},
		invalid)
	s.act(t, 200, spec, denied, "deny", map[string]string{"reason_code": "not_covered",
		"reason": "plan excludes this product"})
	cancelled := s.newIVR(t, patientID)
	s.act(t, 422, doctor, cancelled, "cancel", map[string]string{"why": "x"}, invalid)
	s.act(t, 200, doctor, cancelled, "cancel", map[string]string{"reason": "entered twice"})
	s.act(t, 409, doctor, cancelled, "respond", map[string]string{"message": "too late"})
}

func (s *oas) orders(t *testing.T, ivrID string) {
	doctor := s.login(t, "doctor.harborview@demo.example")
	logi := s.login(t, "logistics@demo.example")
	rep := s.login(t, "rep.harborview@demo.example")
	ivr := s.c.Do(t, 200, req("GET", "/api/v1/ivrs/"+ivrID, doctor, nil)).Map(t)
	line := ivr["products"].([]any)[0].(map[string]any)
	item := map[string]any{"product_id": line["product_id"], "size": line["size"], "quantity": 1}
	in := map[string]any{"ivr_id": ivrID, "items": []any{item}}
	id := s.c.Do(t, 201, req("POST", "/api/v1/orders", doctor, in)).String(t, "id")
	in["status"] = "shipped"
	s.c.Do(t, 422, req("POST", "/api/v1/orders", doctor, in, invalid))
	delete(in, "status")
	second := s.c.Do(t, 201, req("POST", "/api/v1/orders", doctor, in)).String(t, "id")
	s.c.Do(t, 403, req("POST", "/api/v1/orders", rep, in))
	for _, q := range []string{"", "?status=pending", "?ivr_id=" + ivrID + "&limit=1"} {
		s.c.Do(t, 200, req("GET", "/api/v1/orders"+q, doctor, nil))
	}
	s.c.Do(t, 400, req("GET", "/api/v1/orders?status=lost", doctor, nil, invalid))
	p := "/api/v1/orders/" + id
	s.c.Do(t, 200, req("GET", p, doctor, nil))
	s.c.Do(t, 404, req("GET", "/api/v1/orders/no-such-order", doctor, nil))
	s.c.Do(t, 200, req("POST", p+"/prepare", logi, map[string]any{}, header("If-Match", `W/"1"`)))
	s.c.Do(t, 409, req("POST", p+"/deliver", logi, map[string]string{"condition": "ok", "note": ""}))
	ship := map[string]string{"carrier": "UPS", "tracking_number": "1Z999AA10123456784",
		"expected_delivery": time.Now().UTC().AddDate(0, 0, 3).Format("2006-01-02")}
	s.c.Do(t, 422, req("POST", p+"/ship", logi, ship, invalid))
	ship["carrier"] = "ups"
	s.c.Do(t, 200, req("POST", p+"/ship", logi, ship))
	s.c.Do(t, 422, req("POST", p+"/deliver", logi, map[string]string{"condition": "lost"}, invalid))
	s.c.Do(t, 200, req("POST", p+"/deliver", logi, map[string]string{"condition": "issue",
		"note": "box dented"}))
	s.c.Do(t, 200, req("GET", p, rep, nil))
	s.c.Do(t, 200, req("GET", p, logi, nil))
	s.c.Do(t, 200, req("POST", "/api/v1/orders/"+second+"/cancel", doctor,
		map[string]string{"reason": "ordered twice"}))
	s.c.Do(t, 200, req("GET", "/api/v1/orders", logi, nil))
}

func (s *oas) admin(t *testing.T, patientID string) {
	admin := s.login(t, "admin@demo.example")
	doctor := s.login(t, "doctor.harborview@demo.example")
	me := s.c.Do(t, 200, req("GET", "/api/v1/me", admin, nil)).Map(t)
	terrs := s.c.Do(t, 200, req("GET", "/api/v1/territories", admin, nil)).Map(t)["items"].([]any)
	terr := func(i int) string { return terrs[i%len(terrs)].(map[string]any)["id"].(string) }
	s.c.Do(t, 200, req("GET", "/api/v1/users", admin, nil))
	user := map[string]any{"email": "conformance.specialist@demo.example", "name": "Casey Conformance",
		"role": "ivr_specialist", "organization_id": me["organization_id"],
		"territory_ids": []string{terr(0)}, "password": "Conformance-Pass-2026!", "npi": ""}
	uid := s.c.Do(t, 201, req("POST", "/api/v1/users", admin, user)).String(t, "id")
	s.c.Do(t, 403, req("POST", "/api/v1/users", doctor, user))
	user["role"] = "wizard"
	s.c.Do(t, 422, req("POST", "/api/v1/users", admin, user, invalid))
	s.enrolAndBreakGlass(t, patientID)
	s.c.Do(t, 204, req("PUT", "/api/v1/users/"+uid+"/territories", admin,
		map[string]any{"territory_ids": []string{terr(0), terr(1)}}))
	s.c.Do(t, 422, req("PUT", "/api/v1/users/"+uid+"/territories", admin,
		map[string]any{"territories": []string{}}, invalid))
	s.c.Do(t, 204, req("POST", "/api/v1/users/"+uid+"/disable", admin, map[string]bool{"disabled": false}))
	s.c.Do(t, 204, req("POST", "/api/v1/users/"+uid+"/disable", admin, nil))
	s.c.Do(t, 404, req("POST", "/api/v1/users/no-such-user/disable", admin, nil))

	practice := s.c.Do(t, 200, req("GET", "/api/v1/me", doctor, nil)).String(t, "organization_id")
	home := s.c.Do(t, 200, req("GET", "/api/v1/patients/"+patientID, doctor, nil)).String(t, "territory_id")
	s.c.Do(t, 204, req("POST", "/api/v1/practices/"+practice+"/move", admin,
		map[string]string{"territory_id": home}))
	s.c.Do(t, 404, req("POST", "/api/v1/practices/no-such-practice/move", admin,
		map[string]string{"territory_id": home}))

	s.c.Do(t, 200, req("GET", "/api/v1/tokens", admin, nil))
	svc := map[string]any{"email": "conformance.bot@demo.example", "name": "Conformance Bot",
		"role": "office_staff", "organization_id": practice, "territory_ids": []string{},
		"service": true}
	botID := s.c.Do(t, 201, req("POST", "/api/v1/users", admin, svc)).String(t, "id")
	tokID := s.c.Do(t, 201, req("POST", "/api/v1/tokens", admin,
		map[string]string{"user_id": botID, "name": "nightly sync"})).String(t, "id")
	s.c.Do(t, 200, req("GET", "/api/v1/tokens", admin, nil))
	s.c.Do(t, 204, req("DELETE", "/api/v1/tokens/"+tokID, admin, nil))
	s.c.Do(t, 404, req("DELETE", "/api/v1/tokens/no-such-token", admin, nil))

	for _, q := range []string{"", "?limit=5", "?patient_id=" + patientID, "?user_id=" + uid,
		"?action=patient.read&from=2026-01-01T00:00:00Z"} {
		s.c.Do(t, 200, req("GET", "/api/v1/audit"+q, admin, nil))
	}
	s.c.Do(t, 400, req("GET", "/api/v1/audit?from=yesterday", admin, nil, invalid))
	s.c.Do(t, 403, req("GET", "/api/v1/audit", doctor, nil))
}

// enrolAndBreakGlass signs the new specialist in, enrols MFA, confirms it, and
// uses a recovery code for a break-glass grant; then logs out.
func (s *oas) enrolAndBreakGlass(t *testing.T, patientID string) {
	r := s.c.Do(t, 200, req("POST", "/api/v1/auth/login", "", map[string]string{
		"email": "conformance.specialist@demo.example", "password": "Conformance-Pass-2026!"}))
	tok := r.String(t, "token")
	s.c.Do(t, 200, req("GET", "/api/v1/me", tok, nil))
	s.c.Do(t, 403, req("GET", "/api/v1/queue", tok, nil))
	enrol := s.c.Do(t, 200, req("POST", "/api/v1/auth/mfa/enroll", tok, nil)).Map(t)
	secret := enrol["secret"].(string)
	codes := enrol["recovery_codes"].([]any)
	s.c.Do(t, 422, req("POST", "/api/v1/auth/mfa/confirm", tok, map[string]string{"code": "000000"}))
	code, err := auth.DefaultTOTP.Code(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.c.Do(t, 204, req("POST", "/api/v1/auth/mfa/confirm", tok, map[string]string{"code": code}))
	s.c.Do(t, 422, req("POST", "/api/v1/me/email", tok, map[string]string{
		"email": "conformance.specialist2@demo.example", "password": "wrong-password-123"}))
	s.c.Do(t, 204, req("POST", "/api/v1/me/email", tok, map[string]string{
		"email": "conformance.specialist2@demo.example", "password": "Conformance-Pass-2026!",
		"code": codes[1].(string)}))
	s.c.Do(t, 422, req("POST", "/api/v1/auth/mfa/reset", tok, map[string]string{
		"password": "Conformance-Pass-2026!", "code": "000000"}))
	bg := "/api/v1/break-glass"
	s.c.Do(t, 422, req("POST", bg, tok, map[string]string{"patient_id": patientID,
		"reason": "short", "code": "x"}, invalid))
	s.c.Do(t, 201, req("POST", bg, tok, map[string]string{"patient_id": patientID,
		"reason": "patient transferred to our ward tonight", "code": codes[0].(string)}))
	s.c.Do(t, 403, req("POST", bg, s.login(t, "doctor.harborview@demo.example"),
		map[string]string{"patient_id": patientID, "reason": "patient in the ER", "code": "123456"}))
	s.c.Do(t, 204, req("POST", "/api/v1/auth/logout", tok, nil))
	s.c.Do(t, 401, req("GET", "/api/v1/me", tok, nil))
}

func (s *oas) fhir(t *testing.T) {
	spec := s.login(t, "specialist@demo.example")
	body, err := os.ReadFile("../eligibility/testdata/fhir_request_contained.json")
	if err != nil {
		t.Fatal(err)
	}
	path := "/fhir/r4/CoverageEligibilityRequest/$submit"
	ok := req("POST", path, spec, body)
	ok.ContentType = "application/fhir+json"
	s.c.Do(t, 200, ok)
	bad := req("POST", path, spec, `{"resourceType":"Patient"}`)
	bad.ContentType = "application/fhir+json"
	s.c.Do(t, 422, bad)
	denied := req("POST", path, s.login(t, "doctor.harborview@demo.example"), body)
	denied.ContentType = "application/fhir+json"
	s.c.Do(t, 403, denied)
	// The server reads the body whatever its declared type; the document names
	// only the FHIR media type.
	s.c.Do(t, 200, req("POST", path, spec, body, invalid))
}

func (s *oas) events(t *testing.T) {
	rep := s.login(t, "rep.harborview@demo.example")
	s.c.Do(t, 426, req("GET", "/api/v1/events", rep, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r := req("GET", "/api/v1/events?after=0", rep, nil)
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.env.URL, "http")+r.Path,
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + rep}}})
	if err != nil {
		t.Fatalf("events websocket: %v", err)
	}
	defer conn.CloseNow()
	s.c.Check(t, r, nil, "", resp, nil)
	s.c.Do(t, 400, req("GET", "/api/v1/events?after=-1", rep, nil, invalid))
	_, resp, err = websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.env.URL, "http")+"/api/v1/events",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + rep},
			"Origin": {"https://elsewhere.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin events websocket: %v, want a 403 refusal", err)
	}
	body, _ := io.ReadAll(resp.Body)
	s.c.Check(t, req("GET", "/api/v1/events", rep, nil), nil, "", resp, body)
	s.c.Do(t, 401, req("GET", "/api/v1/events", "", nil, invalid))
}

// throttle fails logins from this address until the server answers 429; it runs
// last, since it locks the address out.
func (s *oas) throttle(t *testing.T) {
	body := map[string]string{"email": "staff.harborview@demo.example", "password": "wrong-password-0"}
	for i := 0; i < 12; i++ {
		r := s.c.Send(t, req("POST", "/api/v1/auth/login", "", body))
		if r.Status == http.StatusTooManyRequests {
			return
		}
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("failed login %d: %d %s", i, r.Status, r.Body)
		}
	}
	t.Error("no 429 after 12 failed logins")
}

// coverage fails for any operation of the document the script never exercised,
// and logs the status codes seen per operation.
func (s *oas) coverage(t *testing.T) {
	var b strings.Builder
	for op, codes := range s.c.Coverage() {
		if len(codes) == 0 {
			t.Errorf("operation %s was never exercised", op)
		}
		raw, _ := json.Marshal(codes)
		b.WriteString(op + " " + string(raw) + "\n")
	}
	t.Logf("%d exchanges checked; status codes seen per operation:\n%s", s.c.Exchanges(), b.String())
}
