package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/store"
)

// TestPages drives the pages over HTTP against the whole platform with the demo
// world; the subtests share one platform because starting it seeds a world.
func TestPages(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	doctor := MustLogin(t, env, accountWithRole(t, env, "doctor"))
	rep := MustLogin(t, env, accountWithRole(t, env, "sales_rep"))
	admin := env.Login(t, "admin@demo.example")

	t.Run("HomeListsIVRsWithCounts", func(t *testing.T) { testHome(t, doctor) })
	t.Run("PHIMinimalSeesNoPHI", func(t *testing.T) { testPHIMinimal(t, env, rep, admin) })
	t.Run("CSRFRefused", func(t *testing.T) { testCSRF(t, env, doctor) })
	t.Run("NotFoundAndOutOfScopeLookAlike", func(t *testing.T) {
		testNotFound(t, env, doctor, admin)
	})
	t.Run("NewIVRKeepsInputOnError", func(t *testing.T) { testNewIVRErrors(t, doctor) })
	t.Run("NoInlineScriptOrStyle", func(t *testing.T) { testNoInline(t, doctor) })
	t.Run("LoggedOutGoesToLogin", func(t *testing.T) {
		p := MustClient(t, env).MustGet(t, "/")
		if p.URL != "/login" {
			t.Errorf("anonymous home ended on %s, want /login", p.URL)
		}
	})
}

func testHome(t *testing.T, c *webClient) {
	p := c.MustGet(t, "/")
	if p.Status != http.StatusOK {
		t.Fatalf("home: %d", p.Status)
	}
	if got := text(find(p.Doc, tagged("h1"))[0]); got != "IVRs" {
		t.Errorf("h1 = %q, want IVRs", got)
	}
	if len(rowIDs(p)) == 0 {
		t.Fatal("home lists no IVR rows for a demo doctor")
	}
	chips := find(p.Doc, having("a", "data-status", ""))
	if len(chips) != 8 {
		t.Errorf("status chips = %d, want 8 (one per IVR state)", len(chips))
	}
	for _, th := range find(p.Doc, tagged("th")) {
		if _, ok := attr(th, "scope"); !ok {
			t.Errorf("table header %q has no scope", text(th))
		}
	}
	// The draft filter shows only drafts.
	f := c.MustGet(t, "/?status=draft")
	for _, td := range find(f.Doc, having("td", "class", "status")) {
		if got, _ := attr(td, "data-status"); got != "draft" {
			t.Errorf("draft filter shows a %s row", got)
		}
	}
}

// testPHIMinimal checks that a sales rep's pages hold none of the PHI of an IVR
// they can see, and that the same values do appear for a full role (so the
// check can fail).
func testPHIMinimal(t *testing.T, env *apitest.Env, rep *webClient, admin string) {
	home := rep.MustGet(t, "/")
	ids := rowIDs(home)
	if len(ids) == 0 {
		t.Fatal("the sales rep sees no IVRs")
	}
	secrets := phiOf(t, env, admin, ids[0])
	detail := rep.MustGet(t, "/ivrs/"+ids[0])
	if detail.Status != http.StatusOK {
		t.Fatalf("rep IVR page: %d", detail.Status)
	}
	for name, v := range secrets {
		if strings.Contains(detail.Body, v) || strings.Contains(home.Body, v) {
			t.Errorf("the sales rep's pages show the patient's %s", name)
		}
	}
	for _, want := range []string{"patient-h", "wound-h", "messages-h"} {
		if len(find(detail.Doc, tagged("h2", "id", want))) > 0 {
			t.Errorf("the sales rep's IVR page has section %s", want)
		}
	}
}

// phiOf reads through the API, as admin, the PHI an IVR page could show.
func phiOf(t *testing.T, env *apitest.Env, admin, id string) map[string]string {
	t.Helper()
	var v struct {
		PatientID      string   `json:"patient_id"`
		DiagnosisCodes []string `json:"diagnosis_codes"`
	}
	env.Do(t, "GET", "/api/v1/ivrs/"+id, admin, nil).JSON(t, &v)
	var pt struct {
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		BirthDate string `json:"birth_date"`
		Coverages []struct {
			MemberID string `json:"member_id"`
		} `json:"coverages"`
	}
	env.Do(t, "GET", "/api/v1/patients/"+v.PatientID, admin, nil).JSON(t, &pt)
	if pt.LastName == "" || len(v.DiagnosisCodes) == 0 || len(pt.Coverages) == 0 {
		t.Fatalf("the admin could not read the IVR's PHI")
	}
	return map[string]string{"last name": pt.LastName, "first name": pt.FirstName,
		"birth date": pt.BirthDate, "member id": pt.Coverages[0].MemberID,
		"diagnosis": v.DiagnosisCodes[0]}
}

func testCSRF(t *testing.T, env *apitest.Env, doctor *webClient) {
	tests := []struct {
		name string
		path string
		form url.Values
	}{
		{"LogoutWithoutToken", "/logout", url.Values{}},
		{"NewIVRWrongToken", "/ivrs/new", url.Values{"csrf_token": {"forged"}}},
		{"NewPatientWithoutToken", "/patients/new", url.Values{"first_name": {"X"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := doctor.MustPost(t, tt.path, tt.form)
			if p.Status != http.StatusForbidden {
				t.Errorf("status = %d, want 403", p.Status)
			}
		})
	}
	t.Run("LoginWithoutToken", func(t *testing.T) {
		p := MustClient(t, env).MustPost(t, "/login", url.Values{"email": {"admin@demo.example"},
			"password": {"whatever"}})
		if p.Status != http.StatusForbidden {
			t.Errorf("status = %d, want 403", p.Status)
		}
	})
	// The session still works: the refused logout did not log out.
	if p := doctor.MustGet(t, "/"); p.URL != "/" || p.Status != http.StatusOK {
		t.Errorf("after refused posts, home ended on %s with %d", p.URL, p.Status)
	}
}

func testNotFound(t *testing.T, env *apitest.Env, doctor *webClient, admin string) {
	mine := map[string]bool{}
	for _, id := range rowIDs(doctor.MustGet(t, "/")) {
		mine[id] = true
	}
	var all struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	env.Do(t, "GET", "/api/v1/ivrs?limit=200", admin, nil).JSON(t, &all)
	other := ""
	for _, v := range all.Items {
		if !mine[v.ID] {
			other = v.ID
			break
		}
	}
	if other == "" {
		t.Fatal("no IVR outside the doctor's practice")
	}
	missing := doctor.MustGet(t, "/ivrs/0000000000000000000000000000000")
	outside := doctor.MustGet(t, "/ivrs/"+other)
	if missing.Status != http.StatusNotFound || outside.Status != http.StatusNotFound {
		t.Fatalf("statuses = %d, %d, want 404, 404", missing.Status, outside.Status)
	}
	if diff := cmp.Diff(missing.Body, outside.Body); diff != "" {
		t.Errorf("out of scope differs from not found (-missing +outside):\n%s", diff)
	}
}

func testNewIVRErrors(t *testing.T, doctor *webClient) {
	form := doctor.MustGet(t, "/ivrs/new")
	if form.Status != http.StatusOK {
		t.Fatalf("new IVR form: %d", form.Status)
	}
	in := url.Values{"csrf_token": {csrfOf(t, form)}, "wound.length_cm": {"three"},
		"wound.width_cm": {"2"}, "diagnosis_codes": {"NOTACODE"}, "applications": {"4"},
		"place_of_service": {"11"}, "request_type": {"new"}, "frequency": {"weekly"}}
	p := doctor.MustPost(t, "/ivrs/new", in)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", p.Status)
	}
	kept := map[string]string{"wound.length_cm": "three", "diagnosis_codes": "NOTACODE"}
	for name, want := range kept {
		ins := find(p.Doc, tagged("input", "name", name))
		if len(ins) != 1 {
			t.Fatalf("no input %s", name)
		}
		if got, _ := attr(ins[0], "value"); got != want {
			t.Errorf("%s kept %q, want %q", name, got, want)
		}
	}
	errs := find(p.Doc, having("", "class", "field-error"))
	if len(errs) < 3 {
		t.Errorf("field errors shown = %d, want at least 3", len(errs))
	}
	for _, lbl := range find(p.Doc, tagged("label")) {
		id, _ := attr(lbl, "for")
		if id == "" || len(find(p.Doc, having("", "id", id))) != 1 {
			t.Errorf("label %q points at no single control", text(lbl))
		}
	}
}

func testNoInline(t *testing.T, doctor *webClient) {
	for _, path := range []string{"/", "/ivrs/new", "/patients/new", "/orders", "/login"} {
		p := doctor.MustGet(t, path)
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("%s: CSP = %q", path, csp)
		}
		for _, n := range find(p.Doc, func(*html.Node) bool { return true }) {
			if _, ok := attr(n, "src"); n.Data == "script" && !ok {
				t.Errorf("%s: inline script", path)
			}
			if n.Data == "style" {
				t.Errorf("%s: inline style element", path)
			}
			for _, a := range n.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					t.Errorf("%s: inline %s attribute on <%s>", path, a.Key, n.Data)
				}
			}
		}
	}
}
