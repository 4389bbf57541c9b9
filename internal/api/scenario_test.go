package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// scenario walks one IVR and its order through the whole workflow over HTTP and,
// after every step, checks what each role sees.
type scenario struct {
	env     *apitest.Env
	p       practice
	tokens  map[domain.Role]string
	ids     map[domain.Role]string // role → user id
	ivrID   string
	orderID string
	version int // the IVR's or order's current version
}

func TestScenario(t *testing.T) {
	forEachEngine(t, func(t *testing.T, env *apitest.Env) {
		s := &scenario{env: env, p: MustPractice(t, env, "harborview"),
			tokens: map[domain.Role]string{}, ids: map[domain.Role]string{}}
		for _, mr := range matrixRoles {
			s.tokens[mr.role] = env.Login(t, mr.email)
			var me struct {
				ID string `json:"id"`
			}
			MustStatus(t, env.Do(t, "GET", "/api/v1/me", s.tokens[mr.role], nil), 200).JSON(t, &me)
			s.ids[mr.role] = me.ID
		}
		s.ivrSteps(t)
		s.orderSteps(t)
		s.checkHistory(t)
		s.checkAccessLog(t)
	})
}

func (s *scenario) tok(r domain.Role) string { return s.tokens[r] }

// act posts an IVR or order action with If-Match, checking the stale version is
// refused first (412) and that the fresh one moves the record to want.
func (s *scenario) act(t *testing.T, kind, id string, role domain.Role, action string, body any,
	want string) {
	t.Helper()
	path := fmt.Sprintf("/api/v1/%s/%s/%s", kind, id, action)
	stale := fmt.Sprintf(`"%d"`, s.version-1)
	if s.version > 1 {
		r := s.env.Do(t, "POST", path, s.tok(role), body, "If-Match", stale)
		if r.Status != http.StatusPreconditionFailed {
			t.Fatalf("%s with stale If-Match %s: status %d, want 412: %s", action, stale, r.Status, r.Body)
		}
	}
	r := s.env.Do(t, "POST", path, s.tok(role), body, "If-Match", fmt.Sprintf(`"%d"`, s.version))
	MustStatus(t, r, http.StatusOK)
	var got struct {
		Status  string `json:"status"`
		Version int    `json:"version"`
	}
	r.JSON(t, &got)
	if got.Status != want || got.Version != s.version+1 {
		t.Fatalf("%s: status %q version %d, want %q version %d", action, got.Status, got.Version,
			want, s.version+1)
	}
	if et := r.Header.Get("ETag"); et != fmt.Sprintf(`"%d"`, got.Version) {
		t.Errorf("%s: ETag %s, want \"%d\"", action, et, got.Version)
	}
	s.version = got.Version
}

// refuse checks a wrong transition gets 409 naming the current state.
func (s *scenario) refuse(t *testing.T, kind, id string, role domain.Role, action string, body any,
	state string) {
	t.Helper()
	r := s.env.Do(t, "POST", fmt.Sprintf("/api/v1/%s/%s/%s", kind, id, action), s.tok(role), body)
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), state) {
		t.Errorf("%s by %s in %s: %d %s, want 409 naming %q", action, role, state, r.Status, r.Body, state)
	}
}

func (s *scenario) ivrSteps(t *testing.T) {
	id, v := MustCreate(t, s.env, "/api/v1/ivrs", s.p.staff, s.p.ivrBody())
	s.ivrID, s.version = id, v
	s.checkIVRViews(t, "draft")
	s.refuse(t, "ivrs", id, domain.RoleSpecialist, "approve", approveBody(), "draft")
	s.act(t, "ivrs", id, domain.RoleDoctor, "submit", nil, "submitted")
	s.checkIVRViews(t, "submitted")
	s.refuse(t, "ivrs", id, domain.RoleDoctor, "submit", nil, "submitted")
	s.act(t, "ivrs", id, domain.RoleSpecialist, "assign", map[string]any{}, "in_review")
	s.checkIVRViews(t, "in_review")
	s.act(t, "ivrs", id, domain.RoleSpecialist, "request-info",
		map[string]any{"items": []string{"Wound photo"}, "due_date": daysAhead(5)}, "needs_info")
	s.checkIVRViews(t, "needs_info")
	s.refuse(t, "ivrs", id, domain.RoleSpecialist, "approve", approveBody(), "needs_info")
	s.act(t, "ivrs", id, domain.RoleOfficeStaff, "respond", map[string]any{"message": "Photo sent"}, "submitted")
	s.checkIVRViews(t, "submitted")
	s.act(t, "ivrs", id, domain.RoleSpecialist, "assign", map[string]any{}, "in_review")
	s.act(t, "ivrs", id, domain.RoleSpecialist, "approve", approveBody(), "approved")
	s.checkIVRViews(t, "approved")
	s.refuse(t, "ivrs", id, domain.RoleDoctor, "cancel", map[string]any{"reason": "Too late"}, "approved")
}

func (s *scenario) orderSteps(t *testing.T) {
	var v domain.IVR
	MustStatus(t, s.env.Do(t, "GET", "/api/v1/ivrs/"+s.ivrID, s.p.staff, nil), 200).JSON(t, &v)
	item := map[string]any{"product_id": v.Products[0].ProductID, "size": v.Products[0].Size, "quantity": 2}
	id, ver := MustCreate(t, s.env, "/api/v1/orders", s.p.staff, map[string]any{"ivr_id": s.ivrID,
		"items": []any{item}})
	s.orderID, s.version = id, ver
	s.checkOrderViews(t, "pending")
	s.refuse(t, "orders", id, domain.RoleLogistics, "ship", shipBody(), "pending")
	s.act(t, "orders", id, domain.RoleLogistics, "prepare", nil, "preparing")
	s.checkOrderViews(t, "preparing")
	s.act(t, "orders", id, domain.RoleLogistics, "ship", shipBody(), "shipped")
	s.checkOrderViews(t, "shipped")
	s.refuse(t, "orders", id, domain.RoleDoctor, "cancel", map[string]any{"reason": "x"}, "shipped")
	s.act(t, "orders", id, domain.RoleDoctor, "deliver", map[string]any{"condition": "ok",
		"note": "Box arrived for Ada Quill"}, "delivered")
	s.checkOrderViews(t, "delivered")
}

// checkIVRViews reads the IVR as every role: logistics is refused (403), the
// PHI-minimal roles see no PHI key, the full roles see the clinical fields; all
// see the same status and an ETag that matches the version.
func (s *scenario) checkIVRViews(t *testing.T, status string) {
	t.Helper()
	for _, mr := range matrixRoles {
		r := s.env.Do(t, "GET", "/api/v1/ivrs/"+s.ivrID, s.tok(mr.role), nil)
		s.checkView(t, "ivr", mr.role, r, status, mr.role.Can(domain.PermIVRRead),
			[]string{"wound", "diagnosis_codes"})
		if mr.role.PHIMinimal() {
			for _, path := range []string{"/api/v1/patients/" + s.p.patientID, "/api/v1/patients"} {
				if got := s.env.Do(t, "GET", path, s.tok(mr.role), nil); got.Status != http.StatusForbidden {
					t.Errorf("%s GET %s: %d, want 403", mr.role, path, got.Status)
				}
			}
		}
	}
}

// checkOrderViews reads the order as every role.
func (s *scenario) checkOrderViews(t *testing.T, status string) {
	t.Helper()
	for _, mr := range matrixRoles {
		r := s.env.Do(t, "GET", "/api/v1/orders/"+s.orderID, s.tok(mr.role), nil)
		s.checkView(t, "order", mr.role, r, status, mr.role.Can(domain.PermOrderRead), nil)
		if mr.role == domain.RoleLogistics {
			for _, path := range []string{"/api/v1/ivrs/" + s.ivrID, "/api/v1/ivrs", "/api/v1/patients"} {
				if got := s.env.Do(t, "GET", path, s.tok(mr.role), nil); got.Status != http.StatusForbidden {
					t.Errorf("logistics GET %s: %d, want 403 (orders only)", path, got.Status)
				}
			}
		}
	}
}

func (s *scenario) checkView(t *testing.T, kind string, role domain.Role, r apitest.Response,
	status string, allowed bool, fullKeys []string) {
	t.Helper()
	if !allowed {
		if r.Status != http.StatusForbidden {
			t.Errorf("%s as %s: %d, want 403", kind, role, r.Status)
		}
		return
	}
	if r.Status != http.StatusOK {
		t.Errorf("%s as %s: %d, want 200: %s", kind, role, r.Status, r.Body)
		return
	}
	var got struct {
		Status  string `json:"status"`
		Version int    `json:"version"`
	}
	r.JSON(t, &got)
	if got.Status != status || r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, got.Version) {
		t.Errorf("%s as %s: status %q ETag %s version %d, want status %q", kind, role, got.Status,
			r.Header.Get("ETag"), got.Version, status)
	}
	leaked := phiKeysIn(r.Body)
	if role.PHIMinimal() && len(leaked) > 0 {
		t.Errorf("%s as PHI-minimal %s shows PHI keys %v", kind, role, leaked)
	}
	if !role.PHIMinimal() {
		for _, k := range fullKeys {
			if !strings.Contains(string(r.Body), `"`+k+`":`) {
				t.Errorf("%s as %s lacks %q", kind, role, k)
			}
		}
	}
}

// checkHistory checks the IVR's history lists every transition in order, and
// that PHI-minimal roles get no reasons.
func (s *scenario) checkHistory(t *testing.T) {
	var h struct {
		Items []domain.StatusChange `json:"items"`
	}
	MustStatus(t, s.env.Do(t, "GET", "/api/v1/ivrs/"+s.ivrID+"/history", s.p.doctor, nil), 200).JSON(t, &h)
	var got []string
	for _, c := range h.Items {
		got = append(got, c.Action+":"+c.To)
	}
	want := []string{"create:draft", "submit:submitted", "assign:in_review", "request-info:needs_info",
		"respond:submitted", "assign:in_review", "approve:approved"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	r := s.env.Do(t, "GET", "/api/v1/ivrs/"+s.ivrID+"/history", s.tok(domain.RoleSalesRep), nil)
	if MustStatus(t, r, 200); strings.Contains(string(r.Body), `"reason":`) {
		t.Errorf("history as sales rep shows reasons: %s", r.Body)
	}
}

// checkAccessLog reads the patient as the clinic, the specialist and the admin,
// then checks the access log lists each read, with its reader.
func (s *scenario) checkAccessLog(t *testing.T) {
	readers := []domain.Role{domain.RoleDoctor, domain.RoleOfficeStaff, domain.RoleSpecialist, domain.RoleAdmin}
	for _, role := range readers {
		MustStatus(t, s.env.Do(t, "GET", "/api/v1/patients/"+s.p.patientID, s.tok(role), nil), 200)
	}
	var log struct {
		Items []struct {
			ActorID   string `json:"actor_id"`
			Action    string `json:"action"`
			PatientID string `json:"patient_id"`
		} `json:"items"`
	}
	path := "/api/v1/patients/" + s.p.patientID + "/access-log?limit=200"
	MustStatus(t, s.env.Do(t, "GET", path, s.tok(domain.RoleDoctor), nil), 200).JSON(t, &log)
	seen := map[string]bool{}
	for _, e := range log.Items {
		if e.PatientID != s.p.patientID {
			t.Errorf("access log of %s holds an entry of patient %q", s.p.patientID, e.PatientID)
		}
		seen[e.Action+"/"+e.ActorID] = true
	}
	for _, role := range readers {
		if !seen["patient.read/"+s.ids[role]] {
			t.Errorf("access log lacks the patient read by %s", role)
		}
	}
	for _, a := range []string{"ivr.create", "ivr.approve", "ivr.read"} {
		if !seen[a+"/"+s.ids[domain.RoleSpecialist]] && !seen[a+"/"+s.ids[domain.RoleOfficeStaff]] {
			t.Errorf("access log lacks %s", a)
		}
	}
	r := s.env.Do(t, "GET", path, s.tok(domain.RoleSalesRep), nil)
	if r.Status != http.StatusForbidden {
		t.Errorf("access log as sales rep: %d, want 403", r.Status)
	}
}

// Fixtures shared by the API tests.

// missingID is an id in the platform's format that no record has.
const missingID = "01a00000-0000-7000-8000-000000000000"

// forEachEngine starts one platform per engine and runs fn as a subtest with it.
func forEachEngine(t *testing.T, fn func(t *testing.T, env *apitest.Env)) {
	t.Helper()
	storetest.RequirePostgresIfAsked(t)
	for _, d := range storetest.Engines() {
		t.Run(string(d), func(t *testing.T) {
			start := time.Now()
			env := apitest.Start(t, d)
			t.Logf("platform with demo world started on %s in %v", d, time.Since(start).Round(time.Millisecond))
			fn(t, env)
		})
	}
}

// practice holds what a test needs to write as one demo practice: tokens of its
// staff and doctor, and ids that make a valid IVR body.
type practice struct {
	slug       string
	staff      string // office_staff token
	doctor     string // doctor token
	practiceID string
	facilityID string
	patientID  string
	productID  string
	size       string
}

// MustPractice logs in the practice's doctor and staff and collects the ids of
// its facility, a patient and a catalog product.
func MustPractice(tb testing.TB, env *apitest.Env, slug string) practice {
	tb.Helper()
	p := practice{slug: slug, staff: env.Login(tb, "staff."+slug+"@demo.example"),
		doctor: env.Login(tb, "doctor."+slug+"@demo.example")}
	var fs struct {
		Items []struct {
			ID             string `json:"id"`
			OrganizationID string `json:"organization_id"`
		} `json:"items"`
	}
	MustStatus(tb, env.Do(tb, "GET", "/api/v1/facilities", p.staff, nil), http.StatusOK).JSON(tb, &fs)
	var ps struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	MustStatus(tb, env.Do(tb, "GET", "/api/v1/patients?limit=1", p.staff, nil), http.StatusOK).JSON(tb, &ps)
	var prods struct {
		Items []domain.Product `json:"items"`
	}
	MustStatus(tb, env.Do(tb, "GET", "/api/v1/products", p.staff, nil), http.StatusOK).JSON(tb, &prods)
	if len(fs.Items) == 0 || len(ps.Items) == 0 || len(prods.Items) == 0 || len(prods.Items[0].Sizes) == 0 {
		tb.Fatalf("practice %s: demo world lacks a facility, patient or product", slug)
	}
	p.facilityID, p.practiceID = fs.Items[0].ID, fs.Items[0].OrganizationID
	p.patientID = ps.Items[0].ID
	p.productID, p.size = prods.Items[0].ID, prods.Items[0].Sizes[0].Label
	return p
}

// ivrBody returns a valid IVR create body for the practice.
func (p practice) ivrBody() map[string]any {
	return map[string]any{
		"patient_id": p.patientID, "facility_id": p.facilityID, "place_of_service": "11",
		"request_type": "new",
		"wound": map[string]any{"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
			"length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4, "duration_weeks": 8,
			"conservative_care_weeks": 4},
		"diagnosis_codes": []string{"E11.621", "L97.422"},
		"products":        []map[string]any{{"product_id": p.productID, "size": p.size, "quantity": 4}},
		"applications":    4, "frequency": "weekly", "start_date": daysAhead(14),
	}
}

// patientBody returns a valid patient create body with the payer.
func patientBody(payerID string) map[string]any {
	return map[string]any{
		"first_name": "Ada", "middle_name": "", "last_name": "Quill", "birth_date": "1950-04-02",
		"sex": "female", "mrn": "MRN-T-1001", "phone": "+1-555-0100", "email": "",
		"address": map[string]any{"line1": "1 Main St", "line2": "", "city": "Newark",
			"state": "NJ", "zip": "07102"},
		"flags": map[string]any{"in_snf": false, "part_a_stay": false, "hospice": false,
			"global_period": false},
		"coverages": []map[string]any{{"rank": 1, "payer_id": payerID, "plan_type": "commercial",
			"member_id": "COM12345678", "group_number": "", "relationship": "self",
			"effective_date": "2026-01-01"}},
	}
}

// approveBody returns a valid approval body for a patient with one coverage.
func approveBody() map[string]any {
	return map[string]any{"notes": "Verified by phone", "payer_reference": "call ref 123",
		"benefits": []map[string]any{{"coverage_rank": 1, "active": true, "plan_type": "commercial",
			"network": "in", "deductible_cents": 150000, "deductible_met_cents": 90000,
			"oop_max_cents": 500000, "oop_met_cents": 120000, "copay_cents": 4000,
			"coinsurance_percent": 20, "prior_auth": map[string]any{"required": false}}}}
}

// shipBody returns a valid ship body.
func shipBody() map[string]any {
	return map[string]any{"carrier": "ups", "tracking_number": "1Z999AA10123456784",
		"expected_delivery": daysAhead(3)}
}

// daysAhead returns the date n days from today (UTC) as YYYY-MM-DD.
func daysAhead(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format("2006-01-02") }

// MustStatus fails the test unless r has the status, and returns r.
func MustStatus(tb testing.TB, r apitest.Response, want int) apitest.Response {
	tb.Helper()
	if r.Status != want {
		tb.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

// MustCreate posts body to path and returns the created record's id and version.
func MustCreate(tb testing.TB, env *apitest.Env, path, token string, body any) (string, int) {
	tb.Helper()
	var rec struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	MustStatus(tb, env.Do(tb, "POST", path, token, body), http.StatusCreated).JSON(tb, &rec)
	return rec.ID, rec.Version
}

// MustAct posts an action and returns the response, failing unless it is 200.
func MustAct(tb testing.TB, env *apitest.Env, path, token string, body any) apitest.Response {
	tb.Helper()
	return MustStatus(tb, env.Do(tb, "POST", path, token, body), http.StatusOK)
}

// MustMovePractice moves a practice into a new root territory that no user is
// assigned to, so its records fall outside every scope but the admin's.
func MustMovePractice(tb testing.TB, env *apitest.Env, practiceID string) string {
	tb.Helper()
	ctx := context.Background()
	var id string
	err := env.App.DB().InTx(ctx, func(tx *store.Tx) error {
		t := domain.Territory{Code: "OUTSIDE", Name: "Outside every assignment", States: []string{"WA"}}
		if err := store.CreateTerritory(ctx, tx, &t); err != nil {
			return err
		}
		id = t.ID
		return store.MovePractice(ctx, tx, practiceID, t.ID, 0)
	})
	if err != nil {
		tb.Fatalf("move practice: %v", err)
	}
	return id
}

// phiKeys are JSON keys that carry PHI and must never reach a PHI-minimal role.
var phiKeys = []string{"first_name", "middle_name", "last_name", "birth_date", "member_id",
	"address", "phone", "email", "mrn", "wound", "diagnosis_codes", "benefits", "notes",
	"payer_reference", "denial_reason", "escalation_reason", "coverages", "note"}

// phiKeysIn returns the PHI keys found anywhere in the JSON body.
func phiKeysIn(body []byte) []string {
	var found []string
	for _, k := range phiKeys {
		if strings.Contains(string(body), `"`+k+`":`) {
			found = append(found, k)
		}
	}
	return found
}
