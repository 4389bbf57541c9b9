package domain

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The example bodies of API.md, verbatim but for the elided ids.
const (
	apiPatientBody = `{"first_name": "Ada", "middle_name": "", "last_name": "Quill",
 "birth_date": "1950-04-02", "sex": "female", "mrn": "MRN-1001", "phone": "+1-555-0100",
 "email": "",
 "address": {"line1": "1 Main St", "line2": "", "city": "Newark", "state": "NJ",
   "zip": "07102"},
 "flags": {"in_snf": false, "part_a_stay": false, "hospice": false, "global_period": false},
 "coverages": [{"rank": 1, "payer_id": "payer-1", "plan_type": "medicare_ffs",
                "member_id": "1EG4TE5MK73", "group_number": "", "relationship": "self",
                "effective_date": "2026-01-01"}]}`

	apiIVRBody = `{"patient_id": "pat-1", "facility_id": "fac-1", "place_of_service": "11",
 "request_type": "new",
 "wound": {"type": "diabetic_foot_ulcer", "site": "foot", "laterality": "left",
           "length_cm": 3.0, "width_cm": 2.0, "depth_cm": 0.4,
           "duration_weeks": 8, "conservative_care_weeks": 4},
 "diagnosis_codes": ["E11.621", "L97.422"],
 "products": [{"product_id": "prod-1", "size": "2x3 cm", "quantity": 4}],
 "applications": 4, "frequency": "weekly", "start_date": "2026-12-10"}`

	apiApproveBody = `{"valid_until": "2027-03-01", "notes": "...",
 "payer_reference": "call ref 123",
 "benefits": [{"coverage_rank": 1, "active": true, "plan_type": "medicare_ffs",
   "network": "in", "deductible_cents": 25700, "deductible_met_cents": 25700,
   "oop_max_cents": 0, "oop_met_cents": 0, "copay_cents": 0, "coinsurance_percent": 20,
   "prior_auth": {"required": false}, "mac": "JL", "lcd": "L35041",
   "product_on_lcd": true}]}`
)

// MustDecodeStrict decodes body into v refusing unknown fields, as the API does.
func MustDecodeStrict(tb testing.TB, body string, v any) {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("decode: %v", err)
	}
}

// TestAPIBodies checks that the json tags match API.md: each example body decodes
// strictly into its type, to the values expected, and validates.
func TestAPIBodies(t *testing.T) {
	t.Run("patient", func(t *testing.T) {
		var got PatientInput
		MustDecodeStrict(t, apiPatientBody, &got)
		want := MustPatient(t)
		want.Coverages[0].PayerID = "payer-1"
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decoded mismatch (-want +got):\n%s", diff)
		}
		if err := got.Validate(rulesNow); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
	t.Run("ivr", func(t *testing.T) {
		var got IVRInput
		MustDecodeStrict(t, apiIVRBody, &got)
		if diff := cmp.Diff(MustIVR(t), got); diff != "" {
			t.Errorf("decoded mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("approve", func(t *testing.T) {
		var got ApprovalInput
		MustDecodeStrict(t, apiApproveBody, &got)
		want := MustApproval(t)
		want.Notes = "..."
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decoded mismatch (-want +got):\n%s", diff)
		}
		if err := got.Validate(rulesNow); err != nil {
			t.Errorf("Validate: %v", err)
		}
	})
}

// TestActionBodies checks the tags of the smaller action bodies of API.md.
func TestActionBodies(t *testing.T) {
	tests := []struct {
		body string
		into any
		want any
	}{
		{`{"items": ["wound photo"], "due_date": "2026-12-10"}`, &RequestInfoInput{},
			&RequestInfoInput{Items: []string{"wound photo"}, DueDate: "2026-12-10"}},
		{`{"message": "photo uploaded"}`, &RespondInput{},
			&RespondInput{Message: "photo uploaded"}},
		{`{"reason_code": "not_covered", "reason": "not on LCD"}`, &DenyInput{},
			&DenyInput{ReasonCode: DenyNotCovered, Reason: "not on LCD"}},
		{`{"reason": "duplicate"}`, &CancelInput{}, &CancelInput{Reason: "duplicate"}},
		{`{"reason": "senior review"}`, &EscalateInput{},
			&EscalateInput{Reason: "senior review"}},
		{`{"specialist_id": "u-1"}`, &AssignInput{}, &AssignInput{SpecialistID: "u-1"}},
		{`{"carrier": "ups", "tracking_number": "1Z", "expected_delivery": "2026-12-05"}`,
			&ShipInput{}, &ShipInput{CarrierUPS, "1Z", "2026-12-05"}},
		{`{"condition": "issue", "note": "crushed"}`, &DeliverInput{},
			&DeliverInput{DeliveryIssue, "crushed"}},
		{`{"ivr_id": "i-1", "items": [{"product_id": "p", "size": "2x2 cm", "quantity": 1}]}`,
			&OrderInput{}, &OrderInput{"i-1", []ProductLine{{"p", "2x2 cm", 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			MustDecodeStrict(t, tt.body, tt.into)
			if diff := cmp.Diff(tt.want, tt.into); diff != "" {
				t.Errorf("decoded mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPatchBodies checks that a PATCH body sets only the fields it names.
func TestPatchBodies(t *testing.T) {
	var pp PatientPatch
	MustDecodeStrict(t, `{"last_name": "Quillon", "flags": {"hospice": true}}`, &pp)
	p := MustPatient(t)
	pp.Apply(&p)
	want := MustPatient(t)
	want.LastName, want.Flags.Hospice = "Quillon", true
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("patient patch mismatch (-want +got):\n%s", diff)
	}

	var ip IVRPatch
	MustDecodeStrict(t, `{"applications": 2, "wound": {"type": "burn", "site": "arm",
		"laterality": "right", "length_cm": 10, "width_cm": 12, "depth_cm": 0.2,
		"duration_weeks": 6, "conservative_care_weeks": 4}}`, &ip)
	in := MustIVR(t)
	ip.Apply(&in)
	if in.Applications != 2 || in.Wound.Site != SiteArm || in.PatientID != "pat-1" {
		t.Errorf("ivr patch applied wrongly: apps=%d site=%s", in.Applications, in.Wound.Site)
	}
	// 10 cm × 12 cm on an arm is 120 cm²: the first 100 plus one further 100 or part.
	wantCodes := []CPTLine{{"15273", 1}, {"15274", 1}}
	if diff := cmp.Diff(wantCodes, in.Wound.SuggestedCodes()); diff != "" {
		t.Errorf("codes after patch mismatch (-want +got):\n%s", diff)
	}
}
