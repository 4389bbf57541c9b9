package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/openivr/ivr/internal/api"
	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/domain"
)

// target is one writable route made concrete: the path with its record, a body
// the route accepts, the callers that may use it, and a snapshot of what the
// route would change, read before and after to prove nothing was written.
type target struct {
	pattern  string
	method   string
	path     string
	body     map[string]any
	callers  []caller
	snapshot func(t *testing.T) string
}

// writeTargets returns every POST and PATCH route of the table that decodes a
// body, with its record and a valid body. Routes that read no body (logout, MFA
// enrolment) cannot be mass-assigned and are left out; a new body route without
// a target fails the test.
func writeTargets(t *testing.T, env *apitest.Env) []target {
	p := MustPractice(t, env, "harborview")
	admin := env.Login(t, "admin@demo.example")
	m := newCallers(t, env)
	ivrID, _ := MustCreate(t, env, "/api/v1/ivrs", p.staff, p.ivrBody())
	orderID := mustPendingOrder(t, env, p)
	var payers struct {
		Items []domain.Payer `json:"items"`
	}
	MustStatus(t, env.Do(t, "GET", "/api/v1/payers", admin, nil), 200).JSON(t, &payers)
	read := func(path string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return stable(t, MustStatus(t, env.Do(t, "GET", path, admin, nil), 200))
		}
	}
	staffList := func(path string) func(t *testing.T) string {
		return func(t *testing.T) string {
			return stable(t, MustStatus(t, env.Do(t, "GET", path, p.staff, nil), 200))
		}
	}
	bodies := map[string]map[string]any{
		"POST /api/v1/auth/login":         {"email": "nobody@demo.example", "password": "wrong"},
		"POST /api/v1/auth/mfa":           {"mfa_token": "x", "code": "000000"},
		"POST /api/v1/auth/mfa/confirm":   {"code": "000000"},
		"POST /api/v1/auth/mfa/reset":     {"password": "wrong-password-1", "code": "000000"},
		"POST /api/v1/me/email":           {"email": "x@demo.example", "password": "wrong-password-1"},
		"POST /api/v1/patients":           patientBody(payers.Items[0].ID),
		"PATCH /api/v1/patients/{id}":     {"phone": "+1-555-0199"},
		"POST /api/v1/break-glass":        {"patient_id": p.patientID, "reason": "Emergency visit at night", "code": "000000"},
		"POST /api/v1/ivrs":               p.ivrBody(),
		"PATCH /api/v1/ivrs/{id}":         {"applications": 5},
		"POST /api/v1/ivrs/{id}/messages": {"message": "Hello"},
		"POST /api/v1/users/{id}/disable": {"disabled": true},
		"POST /api/v1/orders":             {"ivr_id": ivrID, "items": []any{}},
	}
	ps := probes()
	var out []target
	for _, rt := range api.New(api.Options{Service: env.App.Service()}).Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if method != "POST" && method != "PATCH" && method != "PUT" || noJSONBody[rt.Pattern] {
			continue
		}
		tg := target{pattern: rt.Pattern, method: method, body: bodies[rt.Pattern]}
		pr := ps[rt.Pattern]
		if tg.body == nil {
			if b, ok := pr.body.(map[string]any); ok {
				tg.body = b
			} else if pr.ivr != "" || pr.order != "" {
				tg.body = map[string]any{}
			}
		}
		if tg.body == nil {
			t.Errorf("route %s has no body in the mass-assignment test", rt.Pattern)
			continue
		}
		switch {
		case strings.HasPrefix(path, "/api/v1/patients"):
			path = strings.Replace(path, "{id}", p.patientID, 1)
			tg.snapshot = read("/api/v1/patients/" + p.patientID)
			if !strings.Contains(rt.Pattern, "{id}") {
				tg.snapshot = staffList("/api/v1/patients?limit=200")
			}
		case strings.HasPrefix(path, "/api/v1/ivrs"):
			path = strings.Replace(path, "{id}", ivrID, 1)
			tg.snapshot = read("/api/v1/ivrs/" + ivrID)
			if !strings.Contains(rt.Pattern, "{id}") {
				tg.snapshot = staffList("/api/v1/ivrs?limit=200")
			} else if strings.HasSuffix(path, "/messages") {
				tg.snapshot = read("/api/v1/ivrs/" + ivrID + "/messages")
			}
		case strings.HasPrefix(path, "/api/v1/orders"):
			path = strings.Replace(path, "{id}", orderID, 1)
			tg.snapshot = read("/api/v1/orders/" + orderID)
			if !strings.Contains(rt.Pattern, "{id}") {
				tg.snapshot = staffList("/api/v1/orders?limit=200")
			}
		default:
			// Admin and auth routes: a missing record id, and the break-glass trail.
			path = strings.Replace(path, "{id}", missingID, 1)
			tg.snapshot = read("/api/v1/audit?action=patient.break_glass")
		}
		tg.path = path
		for _, c := range m {
			if rt.Permission == domain.PermPublic || c.role.Can(rt.Permission) && (pr.who == nil || pr.who(c.role)) {
				tg.callers = append(tg.callers, c)
			}
		}
		out = append(out, tg)
	}
	return out
}

// noJSONBody are the write routes that decode no JSON object: they read no body,
// a multipart upload, or a FHIR resource checked by the FHIR mapping.
var noJSONBody = map[string]bool{
	"POST /api/v1/auth/logout": true, "POST /api/v1/auth/mfa/enroll": true,
	"POST /api/v1/ivrs/{id}/eligibility": true,
	"POST /api/v1/ivrs/{id}/documents":   true, "POST /fhir/r4/CoverageEligibilityRequest/$submit": true,
}

// stable returns what a snapshot compares: for a list, the ids of its items; for
// a record, its JSON without eligibility_status, which the background
// eligibility worker updates on its own.
func stable(t *testing.T, r apitest.Response) string {
	var m map[string]any
	r.JSON(t, &m)
	if items, ok := m["items"].([]any); ok {
		ids := make([]string, 0, len(items))
		for _, it := range items {
			if rec, ok := it.(map[string]any); ok {
				ids = append(ids, fmt.Sprint(rec["id"]))
			}
		}
		return strings.Join(ids, ",")
	}
	delete(m, "eligibility_status")
	b, _ := json.Marshal(m)
	return string(b)
}

// newCallers logs in the account of every role.
func newCallers(t *testing.T, env *apitest.Env) []caller {
	var out []caller
	for _, mr := range matrixRoles {
		out = append(out, caller{role: mr.role, email: mr.email, token: env.Login(t, mr.email)})
	}
	return out
}

// mustPendingOrder places an order for one unit on an approved IVR of p.
func mustPendingOrder(t *testing.T, env *apitest.Env, p practice) string {
	var approved struct {
		Items []domain.IVR `json:"items"`
	}
	MustStatus(t, env.Do(t, "GET", "/api/v1/ivrs?status=approved", p.staff, nil), 200).JSON(t, &approved)
	if len(approved.Items) == 0 {
		t.Fatalf("practice %s has no approved IVR", p.slug)
	}
	v := approved.Items[len(approved.Items)-1]
	item := map[string]any{"product_id": v.Products[0].ProductID, "size": v.Products[0].Size, "quantity": 1}
	id, _ := MustCreate(t, env, "/api/v1/orders", p.staff, map[string]any{"ivr_id": v.ID, "items": []any{item}})
	return id
}

// hostile are the server-controlled fields with the values an attacker would set.
var hostile = map[string]any{
	"id": missingID, "status": "approved", "practice_id": missingID, "territory_id": missingID,
	"created_by": missingID, "version": 99, "reference": "IVR-HOSTILE", "assigned_to": missingID,
	"valid_until": "2099-01-01", "patient_initials": "X.X.", "created_at": "2020-01-01T00:00:00Z",
	"updated_at": "2020-01-01T00:00:00Z", "placed_by": missingID, "physician_id": missingID,
	"submitted_at": "2020-01-01T00:00:00Z", "decided_at": "2020-01-01T00:00:00Z", "escalated": true,
	"benefits": []any{}, "primary_payer_id": missingID, "eligibility_status": "eligible",
	"role": "admin", "mfa_enabled": true, "overdue": true, "user_id": missingID,
	"expires_at": "2099-01-01T00:00:00Z", "area_cm2": 1,
}

// legitimate lists, per route, hostile names that are real inputs of that route.
var legitimate = map[string][]string{
	"POST /api/v1/ivrs/{id}/approve": {"valid_until", "benefits"},
	"POST /api/v1/users":             {"role"},
}

func TestMassAssignment(t *testing.T) {
	forEachEngine(t, func(t *testing.T, env *apitest.Env) {
		n := 0
		for _, tg := range writeTargets(t, env) {
			before := tg.snapshot(t)
			for field, value := range hostile {
				if contains(legitimate[tg.pattern], field) {
					continue
				}
				body := map[string]any{field: value}
				for k, v := range tg.body {
					body[k] = v
				}
				for _, c := range tg.callers {
					r := env.Do(t, tg.method, tg.path, c.token, body)
					n++
					checkFieldError(t, tg.pattern+" as "+string(c.role), r, http.StatusUnprocessableEntity, field)
				}
			}
			if after := tg.snapshot(t); after != before {
				t.Errorf("%s: the refused requests changed the record:\nbefore %s\nafter  %s", tg.pattern, before, after)
			}
		}
		t.Logf("mass assignment: %d hostile requests refused", n)
	})
}

// checkFieldError checks r has the status and an error body naming field.
func checkFieldError(t *testing.T, what string, r apitest.Response, status int, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	if r.Status != status || !bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("{")) {
		t.Errorf("%s with %q: status %d, want %d: %.300s", what, field, r.Status, status, r.Body)
		return
	}
	r.JSON(t, &e)
	for name := range e.Error.Fields {
		if name == field || strings.HasPrefix(name, field+".") || strings.HasPrefix(name, field+"[") {
			return
		}
	}
	t.Errorf("%s with %q: error does not name the field: %s", what, field, r.Body)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
