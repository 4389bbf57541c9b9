package domain

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// MustIVR returns a valid IVR input, the API.md example, for tests to alter.
func MustIVR(tb testing.TB) IVRInput {
	tb.Helper()
	in := IVRInput{
		PatientID: "pat-1", FacilityID: "fac-1", PlaceOfService: POSOffice,
		RequestType: RequestNew,
		Wound: WoundInput{
			Type: WoundDiabeticFootUlcer, Site: SiteFoot, Laterality: LateralityLeft,
			LengthCm: 3.0, WidthCm: 2.0, DepthCm: 0.4, DurationWeeks: 8,
			ConservativeCareWeeks: 4,
		},
		DiagnosisCodes: []string{"E11.621", "L97.422"},
		Products:       []ProductLine{{ProductID: "prod-1", Size: "2x3 cm", Quantity: 4}},
		Applications:   4, Frequency: FrequencyWeekly, StartDate: "2026-12-10",
	}
	if err := in.Validate(rulesNow); err != nil {
		tb.Fatalf("MustIVR: base IVR invalid: %v", err)
	}
	return in
}

func TestIVRValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(in *IVRInput)
		want   []string
	}{
		{"OK", func(in *IVRInput) {}, nil},
		{"OK reverification", func(in *IVRInput) {
			in.RequestType, in.RenewsIVRID = RequestReverification, "ivr-0"
		}, nil},
		{"OK additional without renews", func(in *IVRInput) {
			in.RequestType = RequestAdditionalApplications
		}, nil},
		{"OK new insurance with renews", func(in *IVRInput) {
			in.RequestType, in.RenewsIVRID = RequestNewInsurance, "ivr-0"
		}, nil},
		{"OK start today", func(in *IVRInput) { in.StartDate = "2026-12-03" }, nil},
		{"OK maxima", func(in *IVRInput) {
			in.Wound.LengthCm, in.Wound.WidthCm, in.Wound.DepthCm = 150, 150, 25
			in.Applications = MaxApplications
		}, nil},
		{"OK skilled nursing", func(in *IVRInput) { in.PlaceOfService = POSSkilledNursing },
			nil},
		{"OK midline sacrum", func(in *IVRInput) {
			in.Wound.Type, in.Wound.Site = WoundPressureInjury, SiteSacrum
			in.Wound.Laterality = LateralityMidline
		}, nil},
		{"OK no conservative care", func(in *IVRInput) {
			in.Wound.DurationWeeks, in.Wound.ConservativeCareWeeks = 0, 0
		}, nil},
		{"ids too long", func(in *IVRInput) { in.PatientID = strings.Repeat("p", 101) },
			[]string{"patient_id"}},
		{"ids missing", func(in *IVRInput) { in.PatientID, in.FacilityID = "", "" },
			[]string{"facility_id", "patient_id"}},
		{"place of service", func(in *IVRInput) { in.PlaceOfService = "21" },
			[]string{"place_of_service"}},
		{"request type", func(in *IVRInput) { in.RequestType = "renewal" },
			[]string{"request_type"}},
		{"reverification without renews", func(in *IVRInput) {
			in.RequestType = RequestReverification
		}, []string{"renews_ivr_id"}},
		{"new with renews", func(in *IVRInput) { in.RenewsIVRID = "ivr-0" },
			[]string{"renews_ivr_id"}},
		{"wound enums", func(in *IVRInput) {
			in.Wound.Type, in.Wound.Site, in.Wound.Laterality = "ulcer", "elbowish", "up"
		}, []string{"wound.laterality", "wound.site", "wound.type"}},
		{"wound enums missing", func(in *IVRInput) { in.Wound = WoundInput{} },
			[]string{"wound.depth_cm", "wound.laterality", "wound.length_cm", "wound.site",
				"wound.type", "wound.width_cm"}},
		{"measures not positive", func(in *IVRInput) {
			in.Wound.LengthCm, in.Wound.WidthCm, in.Wound.DepthCm = 0, -1, 0
		}, []string{"wound.depth_cm", "wound.length_cm", "wound.width_cm"}},
		{"measures too large", func(in *IVRInput) {
			in.Wound.LengthCm, in.Wound.WidthCm, in.Wound.DepthCm = 150.1, 151, 25.1
		}, []string{"wound.depth_cm", "wound.length_cm", "wound.width_cm"}},
		{"weeks negative", func(in *IVRInput) {
			in.Wound.DurationWeeks, in.Wound.ConservativeCareWeeks = -1, -1
		}, []string{"wound.conservative_care_weeks", "wound.duration_weeks"}},
		{"care longer than wound", func(in *IVRInput) { in.Wound.ConservativeCareWeeks = 9 },
			[]string{"wound.conservative_care_weeks"}},
		{"no diagnosis", func(in *IVRInput) { in.DiagnosisCodes = nil },
			[]string{"diagnosis_codes"}},
		{"too many diagnoses", func(in *IVRInput) {
			in.DiagnosisCodes = strings.Fields(strings.Repeat("E11.621 ", 13))
		}, []string{"diagnosis_codes"}},
		{"diagnosis format", func(in *IVRInput) { in.DiagnosisCodes[1] = "L97422" },
			[]string{"diagnosis_codes[1]"}},
		{"diagnosis duplicate", func(in *IVRInput) {
			in.DiagnosisCodes = append(in.DiagnosisCodes, "E11.621")
		}, []string{"diagnosis_codes[2]"}},
		{"no products", func(in *IVRInput) { in.Products = nil }, []string{"products"}},
		{"product fields", func(in *IVRInput) { in.Products[0] = ProductLine{} },
			[]string{"products[0].product_id", "products[0].quantity", "products[0].size"}},
		{"quantity too large", func(in *IVRInput) { in.Products[0].Quantity = 1001 },
			[]string{"products[0].quantity"}},
		{"same product and size twice", func(in *IVRInput) {
			in.Products = append(in.Products, in.Products[0])
		}, []string{"products[1].size"}},
		{"same product other size", func(in *IVRInput) {
			in.Products = append(in.Products, ProductLine{"prod-1", "4x4 cm", 2})
		}, nil},
		{"too many products", func(in *IVRInput) {
			for i := 0; i < 10; i++ {
				in.Products = append(in.Products, ProductLine{"p", strings.Repeat("s", i+1), 1})
			}
		}, []string{"products"}},
		{"applications zero", func(in *IVRInput) { in.Applications = 0 },
			[]string{"applications"}},
		{"applications too many", func(in *IVRInput) { in.Applications = MaxApplications + 1 },
			[]string{"applications"}},
		{"frequency", func(in *IVRInput) { in.Frequency = "daily" }, []string{"frequency"}},
		{"start missing", func(in *IVRInput) { in.StartDate = "" }, []string{"start_date"}},
		{"start past", func(in *IVRInput) { in.StartDate = "2026-12-02" },
			[]string{"start_date"}},
		{"start far", func(in *IVRInput) { in.StartDate = "2027-12-04" },
			[]string{"start_date"}},
		{"start format", func(in *IVRInput) { in.StartDate = "10 Dec 2026" },
			[]string{"start_date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := MustIVR(t)
			tt.change(&in)
			got := fieldKeys(t, in.Validate(rulesNow))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIVRDerived(t *testing.T) {
	in := MustIVR(t)
	if got := in.Wound.AreaCm2(); got != 6 {
		t.Errorf("AreaCm2 = %v, want 6", got)
	}
	if diff := cmp.Diff([]CPTLine{{"15275", 1}}, in.Wound.SuggestedCodes()); diff != "" {
		t.Errorf("SuggestedCodes mismatch (-want +got):\n%s", diff)
	}
	in.Products = append(in.Products, ProductLine{"prod-2", "2x2 cm", 1},
		ProductLine{"prod-1", "4x4 cm", 1})
	if diff := cmp.Diff([]string{"prod-1", "prod-2"}, in.ProductIDs()); diff != "" {
		t.Errorf("ProductIDs mismatch (-want +got):\n%s", diff)
	}
}

func TestIVRPatchApply(t *testing.T) {
	in := MustIVR(t)
	apps, codes := 6, []string{"L97.412"}
	wound := in.Wound
	wound.LengthCm = 5
	IVRPatch{Applications: &apps, DiagnosisCodes: &codes, Wound: &wound}.Apply(&in)

	want := MustIVR(t)
	want.Applications, want.DiagnosisCodes, want.Wound.LengthCm = 6, []string{"L97.412"}, 5
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("Apply mismatch (-want +got):\n%s", diff)
	}
	codes[0] = "changed"
	if in.DiagnosisCodes[0] == "changed" {
		t.Error("Apply shares the patch's slice")
	}
	same := MustIVR(t)
	IVRPatch{}.Apply(&same)
	if diff := cmp.Diff(MustIVR(t), same); diff != "" {
		t.Errorf("empty patch changed the IVR (-want +got):\n%s", diff)
	}
}

func TestIVRPatchApplyValidated(t *testing.T) {
	later := rulesNow.AddDate(0, 0, 30) // the draft's start date is now in the past
	apps, past := 5, Date("2026-12-20")
	tests := []struct {
		name  string
		patch IVRPatch
		want  []string
	}{
		{"OK old start date kept", IVRPatch{Applications: &apps}, nil},
		{"start date set in the past", IVRPatch{StartDate: &past}, []string{"start_date"}},
		{"bad change", IVRPatch{Applications: new(int)}, []string{"applications"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := MustIVR(t)
			err := tt.patch.ApplyValidated(&in, later)
			if diff := cmp.Diff(tt.want, fieldKeys(t, err)); diff != "" {
				t.Fatalf("fields mismatch (-want +got):\n%s", diff)
			}
			want := MustIVR(t)
			if err == nil {
				tt.patch.Apply(&want)
			}
			if diff := cmp.Diff(want, in); diff != "" {
				t.Errorf("IVR after ApplyValidated mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
