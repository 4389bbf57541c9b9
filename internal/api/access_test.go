package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/openivr/ivr/internal/api"
	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/domain"
)

// The access matrix walks the route table (api.Server.Routes) for every role and,
// on routes with a record id, for a record of each of three practices plus an id
// that does not exist. The status each request must get is computed from the
// policy: the role's permissions (domain.Role.Can), the PHI-minimal rule, the
// use-case rules of DOMAIN.md (who creates, who edits), the scope rules (practice,
// territory subtree, everything) evaluated in Go over the territory tree, and the
// state machines (domain.IVRTransition, domain.OrderTransition).
//
// The matrix must not change the world its later cases read, so write routes are
// probed with bodies that pass decoding but fail validation after the access check
// (e.g. PATCH a patient with an empty first name), or against records whose state
// turns every action into a conflict: each practice gets a cancelled IVR and a
// cancelled order made for the test. The only writes that succeed are harmless:
// messages added to the cancelled IVRs and MFA enrolment of accounts without MFA.
// Logout runs last, once per role, and the token is then checked dead.

// matrixRoles are the accounts that stand for each role. specialist.east sees only
// the East region, so West records are out of its scope.
var matrixRoles = []struct {
	role  domain.Role
	email string
}{
	{domain.RoleAdmin, "admin@demo.example"},
	{domain.RoleSpecialist, "specialist.east@demo.example"},
	{domain.RoleDoctor, "doctor.harborview@demo.example"},
	{domain.RoleOfficeStaff, "staff.harborview@demo.example"},
	{domain.RoleSalesRep, "rep.harborview@demo.example"},
	{domain.RoleDistributor, "distributor.east@demo.example"},
	{domain.RoleMasterDistributor, "network@demo.example"},
	{domain.RoleLogistics, "logistics@demo.example"},
}

// probe says how one route is exercised and what an allowed caller gets.
type probe struct {
	body any
	// ok is the status of a caller the policy lets through (for action routes,
	// only when the state machine allows the action, which the fixtures avoid).
	ok int
	// who is the use-case rule on top of the permission (nil: any holder).
	who func(domain.Role) bool
	// ivr and order name the action of an action route.
	ivr   domain.IVRAction
	order domain.OrderAction
	// multipart sends body as a multipart/form-data upload.
	multipart bool
}

// textUpload is a multipart body with a valid document kind and a file whose
// content is not an accepted type: refused after the scope check, writing nothing.
var textUpload = []byte("--b\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n" +
	"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n" +
	"Content-Type: text/plain\r\n\r\nplain text, not a PDF\r\n--b--\r\n")

func clinicOnly(r domain.Role) bool { return r.ClinicRole() }

func clinicOrAdmin(r domain.Role) bool { return r.ClinicRole() || r == domain.RoleAdmin }

func reviewer(r domain.Role) bool { return r == domain.RoleSpecialist || r == domain.RoleAdmin }

func adminOnly(r domain.Role) bool { return r == domain.RoleAdmin }

// createsIVRs and placesOrders are the state machines' rules for new records.
func createsIVRs(r domain.Role) bool { _, err := domain.NewIVRState(r); return err == nil }

func placesOrders(r domain.Role) bool { _, err := domain.NewOrderState(r); return err == nil }

// probes gives every route of the table its probe; a route without one fails the
// test, so a new route cannot escape the matrix.
func probes() map[string]probe {
	bad := []byte("{")
	ps := map[string]probe{
		"GET /healthz":                                     {ok: 200},
		"GET /readyz":                                      {ok: 200},
		"GET /metrics":                                     {ok: 200},
		"POST /api/v1/auth/login":                          {body: bad, ok: 400},
		"POST /api/v1/auth/mfa":                            {body: bad, ok: 400},
		"POST /api/v1/auth/mfa/confirm":                    {body: bad, ok: 400},
		"POST /api/v1/auth/mfa/reset":                      {body: bad, ok: 400},
		"POST /api/v1/me/email":                            {body: bad, ok: 400},
		"POST /api/v1/auth/mfa/enroll":                     {ok: -1}, // 409 with MFA, 200 without
		"GET /api/v1/me":                                   {ok: 200},
		"GET /api/v1/territories":                          {ok: 200},
		"GET /api/v1/products":                             {ok: 200},
		"GET /api/v1/payers":                               {ok: 200},
		"GET /api/v1/facilities":                           {ok: 200},
		"GET /api/v1/patients":                             {ok: 200},
		"POST /api/v1/patients":                            {body: map[string]any{}, ok: 422, who: clinicOnly},
		"GET /api/v1/patients/{id}":                        {ok: 200},
		"PATCH /api/v1/patients/{id}":                      {body: map[string]any{"first_name": ""}, ok: 422, who: clinicOrAdmin},
		"GET /api/v1/patients/{id}/access-log":             {ok: 200},
		"POST /api/v1/break-glass":                         {body: map[string]any{}, ok: 422},
		"GET /api/v1/ivrs":                                 {ok: 200},
		"POST /api/v1/ivrs":                                {body: map[string]any{}, ok: 422, who: createsIVRs},
		"GET /api/v1/queue":                                {ok: 200, who: reviewer},
		"GET /api/v1/ivrs/{id}":                            {ok: 200},
		"PATCH /api/v1/ivrs/{id}":                          {body: map[string]any{}, ok: 409, who: clinicOnly},
		"GET /api/v1/ivrs/{id}/history":                    {ok: 200},
		"GET /api/v1/ivrs/{id}/messages":                   {ok: 200},
		"POST /api/v1/ivrs/{id}/messages":                  {body: map[string]any{"message": "Access check"}, ok: 201},
		"GET /api/v1/orders":                               {ok: 200},
		"POST /api/v1/orders":                              {body: map[string]any{}, ok: 422, who: placesOrders},
		"GET /api/v1/orders/{id}":                          {ok: 200},
		"GET /api/v1/audit":                                {ok: 200, who: adminOnly},
		"GET /api/v1/events":                               {ok: http.StatusUpgradeRequired},
		"POST /api/v1/auth/logout":                         {ok: 204},
		"GET /api/v1/openapi.json":                         {ok: 200},
		"POST /api/v1/payers":                              {body: map[string]any{}, ok: 422},
		"POST /api/v1/products":                            {body: map[string]any{}, ok: 422},
		"GET /api/v1/ivrs/{id}/documents":                  {ok: 200},
		"POST /api/v1/ivrs/{id}/documents":                 {body: textUpload, ok: 422, multipart: true},
		"GET /api/v1/documents/{id}":                       {ok: 200},
		"GET /api/v1/ivrs/{id}/eligibility":                {ok: 200},
		"POST /api/v1/ivrs/{id}/eligibility":               {ok: 409}, // the fixtures' IVRs are cancelled
		"GET /api/v1/users":                                {ok: 200},
		"POST /api/v1/users":                               {body: map[string]any{}, ok: 422},
		"POST /api/v1/users/{id}/disable":                  {ok: 200},
		"PUT /api/v1/users/{id}/territories":               {body: map[string]any{"territory_ids": []string{}}, ok: 200},
		"POST /api/v1/practices/{id}/move":                 {body: map[string]any{"territory_id": ""}, ok: 204},
		"GET /api/v1/tokens":                               {ok: 200},
		"POST /api/v1/tokens":                              {body: map[string]any{}, ok: 422},
		"DELETE /api/v1/tokens/{id}":                       {ok: 204},
		"POST /fhir/r4/CoverageEligibilityRequest/$submit": {body: []byte("{"), ok: 422}, // a FHIR OperationOutcome
	}
	ivrBodies := map[domain.IVRAction]any{
		domain.IVRSubmit: nil, domain.IVRAssign: map[string]any{},
		domain.IVRRequestInfo: map[string]any{"items": []string{"Wound photo"},
			"due_date": daysAhead(5)},
		domain.IVRRespond: map[string]any{"message": "Photo attached"},
		domain.IVRApprove: approveBody(),
		domain.IVRDeny: map[string]any{"reason_code": "not_medically_necessary",
			"reason": "Too short"},
		domain.IVRCancel:   map[string]any{"reason": "No longer needed"},
		domain.IVREscalate: map[string]any{"reason": "Needs a senior look"},
	}
	for a, b := range ivrBodies {
		ps["POST /api/v1/ivrs/{id}/"+string(a)] = probe{body: b, ivr: a}
	}
	orderBodies := map[domain.OrderAction]any{
		domain.OrderPrepare: nil, domain.OrderShip: shipBody(),
		domain.OrderDeliver: map[string]any{"condition": "ok", "note": ""},
		domain.OrderCancel:  map[string]any{"reason": "No longer needed"},
	}
	for a, b := range orderBodies {
		ps["POST /api/v1/orders/{id}/"+string(a)] = probe{body: b, order: a}
	}
	return ps
}

// record is one record a matrix case points at, as the admin sees it.
type record struct {
	label     string // "harborview", "sierravista", "outside", "missing"
	id        string
	practice  string
	territory string
	ivrState  domain.IVRState
	ordState  domain.OrderState
}

// caller is one role's account, token and scope facts.
type caller struct {
	role        domain.Role
	email       string
	token       string
	org         string
	territories []string
	hasMFA      bool
}

// matrix is the world of the access matrix.
type matrix struct {
	env     *apitest.Env
	parent  map[string]string // territory → parent
	callers []caller
	records map[string][]record // "patients" | "ivrs" | "orders" → records
}

// inScope is the scope policy of DOMAIN.md, written independently of the SQL.
func (m *matrix) inScope(c caller, r record) bool {
	if r.id == missingID {
		return false
	}
	switch c.role.Scope() {
	case domain.ScopeAll:
		return true
	case domain.ScopePractice:
		return r.practice == c.org
	}
	for t := r.territory; t != ""; t = m.parent[t] {
		for _, mine := range c.territories {
			if t == mine {
				return true
			}
		}
	}
	return false
}

// expect computes the status the policy gives caller c on route rt with probe p,
// for record r (nil on routes without an id).
func (m *matrix) expect(t *testing.T, rt api.Route, p probe, c caller, r *record) int {
	if rt.Permission == domain.PermPublic {
		return p.ok
	}
	if !c.role.Can(rt.Permission) {
		return http.StatusForbidden
	}
	if strings.HasPrefix(pathOf(rt), "/api/v1/patients") && c.role.PHIMinimal() {
		return http.StatusForbidden
	}
	if p.who != nil && !p.who(c.role) {
		return http.StatusForbidden
	}
	if r != nil && !m.inScope(c, *r) {
		return http.StatusNotFound
	}
	var err error
	switch {
	case p.ivr != "":
		_, err = domain.IVRTransition(r.ivrState, p.ivr, c.role)
	case p.order != "":
		_, err = domain.OrderTransition(r.ordState, p.order, c.role)
	case p.ok == -1:
		if c.hasMFA {
			return http.StatusConflict
		}
		return http.StatusOK
	default:
		return p.ok
	}
	switch domain.ErrorCode(err) {
	case domain.CodeForbidden:
		return http.StatusForbidden
	case domain.CodeConflict:
		return http.StatusConflict
	}
	t.Fatalf("%s by %s on %s would succeed and change the world; fix the fixtures",
		rt.Pattern, c.role, r.label)
	return 0
}

func pathOf(rt api.Route) string {
	_, path, _ := strings.Cut(rt.Pattern, " ")
	return path
}

func TestAccessMatrix(t *testing.T) {
	forEachEngine(t, func(t *testing.T, env *apitest.Env) {
		m := newMatrix(t, env)
		routes := api.New(api.Options{Service: env.App.Service()}).Routes()
		ps := probes()
		var n, routesWithID int
		var logout api.Route
		for _, rt := range routes {
			p, ok := ps[rt.Pattern]
			if !ok {
				t.Errorf("route %s has no probe in the access matrix", rt.Pattern)
				continue
			}
			if rt.Pattern == "POST /api/v1/auth/logout" {
				logout = rt
				continue
			}
			if strings.Contains(rt.Pattern, "{id}") {
				routesWithID++
			}
			if b, ok := p.body.(map[string]any); ok && b["territory_id"] == "" {
				p.body = map[string]any{"territory_id": m.anyTerritory()} // a real one
			}
			n += m.runRoute(t, rt, p)
		}
		n += m.runLogout(t, logout)
		t.Logf("access matrix: %d routes (%d with an id) × %d roles; %d requests checked",
			len(routes), routesWithID, len(m.callers), n)
	})
}

// runRoute checks one route for every caller and returns the number of requests.
func (m *matrix) runRoute(t *testing.T, rt api.Route, p probe) int {
	method, path, _ := strings.Cut(rt.Pattern, " ")
	kind := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")[0]
	n := 0
	for _, c := range m.callers {
		if !strings.Contains(path, "{id}") {
			got := m.send(t, method, path, c.token, p)
			if want := m.expect(t, rt, p, c, nil); got.Status != want {
				t.Errorf("%s as %s: status %d, want %d: %.200s", rt.Pattern, c.role, got.Status, want, got.Body)
			}
			n++
			continue
		}
		var notFound []apitest.Response
		var labels []string
		recs := m.records[kind]
		if len(recs) == 0 {
			// Users, practices, tokens, documents: no fixture; a missing id only.
			recs = []record{{label: "missing", id: missingID}}
		}
		for _, r := range recs {
			got := m.send(t, method, strings.Replace(path, "{id}", r.id, 1), c.token, p)
			n++
			want := m.expect(t, rt, p, c, &r)
			if got.Status != want {
				t.Errorf("%s as %s on %s record: status %d, want %d: %.200s",
					rt.Pattern, c.role, r.label, got.Status, want, got.Body)
			}
			if want == http.StatusNotFound {
				notFound, labels = append(notFound, got), append(labels, r.label)
			}
		}
		for i := 1; i < len(notFound); i++ {
			a, b := notFound[0], notFound[i]
			if a.Status != b.Status || !bytes.Equal(a.Body, b.Body) ||
				a.Header.Get("Content-Type") != b.Header.Get("Content-Type") || b.Header.Get("ETag") != "" {
				t.Errorf("%s as %s: %s answers %d %q but %s answers %d %q; out of scope must look like missing",
					rt.Pattern, c.role, labels[0], a.Status, a.Body, labels[i], b.Status, b.Body)
			}
		}
	}
	return n
}

// anyTerritory returns the id of some territory.
func (m *matrix) anyTerritory() string {
	for id := range m.parent {
		return id
	}
	return ""
}

// send makes the probe's request.
func (m *matrix) send(t *testing.T, method, path, token string, p probe) apitest.Response {
	if p.multipart {
		return m.env.Do(t, method, path, token, p.body, "Content-Type", "multipart/form-data; boundary=b")
	}
	return m.env.Do(t, method, path, token, p.body)
}

// runLogout logs every caller out and checks the token is dead afterwards.
func (m *matrix) runLogout(t *testing.T, rt api.Route) int {
	for _, c := range m.callers {
		got := m.env.Do(t, "POST", "/api/v1/auth/logout", c.token, nil)
		if got.Status != http.StatusNoContent {
			t.Errorf("logout as %s: status %d, want 204: %s", c.role, got.Status, got.Body)
		}
		if after := m.env.Do(t, "GET", "/api/v1/me", c.token, nil); after.Status != http.StatusUnauthorized {
			t.Errorf("after logout as %s: GET /me status %d, want 401", c.role, after.Status)
		}
	}
	return 2 * len(m.callers)
}

// newMatrix builds the fixtures: the callers, a cancelled IVR and a cancelled
// order in three practices (one moved outside every territory), and reads every
// record back as the admin to learn its practice and territory.
func newMatrix(t *testing.T, env *apitest.Env) *matrix {
	m := &matrix{env: env, parent: map[string]string{}, records: map[string][]record{}}
	admin := env.Login(t, "admin@demo.example")
	for _, slug := range []string{"harborview", "sierravista", "desertbloom"} {
		p := MustPractice(t, env, slug)
		ivr, order := mustCancelledPair(t, env, p)
		label := slug
		if slug == "desertbloom" {
			MustMovePractice(t, env, p.practiceID)
			label = "outside"
		}
		m.addRecord(t, admin, "patients", label, p.patientID)
		m.addRecord(t, admin, "ivrs", label, ivr)
		m.addRecord(t, admin, "orders", label, order)
	}
	for _, kind := range []string{"patients", "ivrs", "orders"} {
		m.records[kind] = append(m.records[kind], record{label: "missing", id: missingID})
	}
	var ts struct {
		Items []domain.Territory `json:"items"`
	}
	MustStatus(t, env.Do(t, "GET", "/api/v1/territories", admin, nil), 200).JSON(t, &ts)
	for _, tr := range ts.Items {
		m.parent[tr.ID] = tr.ParentID
	}
	for _, mr := range matrixRoles {
		c := caller{role: mr.role, email: mr.email, token: env.Login(t, mr.email),
			hasMFA: env.Account(t, mr.email).TOTPSecret != ""}
		var me struct {
			Role           domain.Role `json:"role"`
			OrganizationID string      `json:"organization_id"`
			TerritoryIDs   []string    `json:"territory_ids"`
		}
		MustStatus(t, env.Do(t, "GET", "/api/v1/me", c.token, nil), 200).JSON(t, &me)
		if me.Role != mr.role {
			t.Fatalf("%s has role %s, want %s", mr.email, me.Role, mr.role)
		}
		c.org, c.territories = me.OrganizationID, me.TerritoryIDs
		m.callers = append(m.callers, c)
	}
	return m
}

// mustCancelledPair creates, as the practice, an IVR it then cancels, and an order
// on an approved IVR of the practice that it then cancels.
func mustCancelledPair(t *testing.T, env *apitest.Env, p practice) (ivrID, orderID string) {
	ivrID, _ = MustCreate(t, env, "/api/v1/ivrs", p.staff, p.ivrBody())
	MustAct(t, env, "/api/v1/ivrs/"+ivrID+"/cancel", p.staff, map[string]string{"reason": "Test fixture"})
	var approved struct {
		Items []domain.IVR `json:"items"`
	}
	MustStatus(t, env.Do(t, "GET", "/api/v1/ivrs?status=approved", p.staff, nil), 200).JSON(t, &approved)
	if len(approved.Items) == 0 {
		t.Fatalf("practice %s has no approved IVR", p.slug)
	}
	v := approved.Items[0]
	item := map[string]any{"product_id": v.Products[0].ProductID, "size": v.Products[0].Size, "quantity": 1}
	orderID, _ = MustCreate(t, env, "/api/v1/orders", p.staff,
		map[string]any{"ivr_id": v.ID, "items": []any{item}})
	MustAct(t, env, "/api/v1/orders/"+orderID+"/cancel", p.staff, map[string]string{"reason": "Test fixture"})
	return ivrID, orderID
}

// addRecord reads the record as the admin and remembers its practice, territory
// and state.
func (m *matrix) addRecord(t *testing.T, admin, kind, label, id string) {
	var rec struct {
		PracticeID  string `json:"practice_id"`
		TerritoryID string `json:"territory_id"`
		Status      string `json:"status"`
	}
	MustStatus(t, m.env.Do(t, "GET", fmt.Sprintf("/api/v1/%s/%s", kind, id), admin, nil), 200).JSON(t, &rec)
	m.records[kind] = append(m.records[kind], record{label: label, id: id, practice: rec.PracticeID,
		territory: rec.TerritoryID, ivrState: domain.IVRState(rec.Status),
		ordState: domain.OrderState(rec.Status)})
}
