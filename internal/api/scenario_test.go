package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/domain"
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
