package domain

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// FuzzIdentifiers checks that the identifier validators never panic and that what
// they accept has the documented shape.
func FuzzIdentifiers(f *testing.F) {
	for _, s := range []string{"1EG4TE5MK73", "1234567893", "12-3456789", "E11.621",
		"07102-1234", "NJ", "", "\xff", "L97.4222"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidMBI(s) && (len(s) != 11 || strings.ContainsAny(s, "SLOIBZ")) {
			t.Errorf("ValidMBI accepted %q", s)
		}
		if ValidNPI(s) && (len(s) != 10 || !allDigits(s)) {
			t.Errorf("ValidNPI accepted %q", s)
		}
		if ValidTIN(s) && strings.Count(s, "-") > 1 {
			t.Errorf("ValidTIN accepted %q", s)
		}
		if ValidICD10CM(s) && (len(s) < 3 || len(s) > 8) {
			t.Errorf("ValidICD10CM accepted %q", s)
		}
		if ValidZIP(s) && len(s) != 5 && len(s) != 10 {
			t.Errorf("ValidZIP accepted %q", s)
		}
		_ = ValidUSState(s)
		_ = PatientInitials(s, s)
		_ = Date(s).AddDays(3)
	})
}

// FuzzSuggestApplicationCodes checks the code suggestion against its arithmetic:
// the units billed cover the area, and one unit fewer would not.
func FuzzSuggestApplicationCodes(f *testing.F) {
	for _, a := range []float64{12, 25, 25.01, 60, 99.99, 100, 200, 200.01, 230, 0, -1} {
		f.Add(a, true)
	}
	f.Fuzz(func(t *testing.T, area float64, leg bool) {
		site := SiteFoot
		if leg {
			site = SiteLeg
		}
		lines := SuggestApplicationCodes(site, area)
		if area > 1e9 || math.IsNaN(area) {
			return
		}
		hundredths := int64(math.Round(area * 100))
		if hundredths <= 0 {
			if lines != nil {
				t.Fatalf("area %v: got %v, want nil", area, lines)
			}
			return
		}
		step := int64(2500)
		if hundredths >= 10000 {
			step = 10000
		}
		units := int64(0)
		for _, l := range lines {
			units += int64(l.Units)
		}
		if units*step < hundredths || (units-1)*step >= hundredths {
			t.Fatalf("area %v: %d units of %d hundredths do not fit", area, units, step)
		}
	})
}

// FuzzInputs decodes arbitrary JSON into each input type and validates it: bad
// input must give an error, never a panic.
func FuzzInputs(f *testing.F) {
	for _, s := range []string{apiPatientBody, apiIVRBody, apiApproveBody, `{}`, `null`,
		`{"coverages":[{"rank":-1}],"wound":{"length_cm":-1e308}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		targets := []inputValidator{&PatientInput{}, &IVRInput{}, &ApprovalInput{},
			&OrderInput{}, &ShipInput{}, &RequestInfoInput{}, &DeliverInput{}}
		for _, v := range targets {
			if json.Unmarshal([]byte(body), v) == nil {
				_ = v.Validate(rulesNow)
			}
		}
	})
}
