package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

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
