package domain

import "testing"

// boolCase is one input and whether a inputValidator should accept it.
type boolCase struct {
	in   string
	want bool
}

// runBool runs a string inputValidator over cases, one subtest each.
func runBool(t *testing.T, name string, fn func(string) bool, cases []boolCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(name+"/"+tt.in, func(t *testing.T) {
			if got := fn(tt.in); got != tt.want {
				t.Errorf("%s(%q) = %v, want %v", name, tt.in, got, tt.want)
			}
		})
	}
}

func TestValidNPI(t *testing.T) {
	runBool(t, "ValidNPI", ValidNPI, []boolCase{
		{"1234567893", true},
		{"1245319599", true},
		{"1003000126", true},
		{"1234567890", false}, // wrong check digit
		{"1234567894", false},
		{"2234567893", false}, // one digit changed
		{"123456789", false},
		{"12345678933", false},
		{"123456789X", false},
		{"12345 7893", false},
		{"", false},
	})
}

func TestValidTIN(t *testing.T) {
	runBool(t, "ValidTIN", ValidTIN, []boolCase{
		{"123456789", true},
		{"12-3456789", true},
		{"123-456789", false},
		{"12345678", false},
		{"1234567890", false},
		{"12-345678", false},
		{"AB-3456789", false},
		{"12 3456789", false},
		{"", false},
	})
}

func TestValidMBI(t *testing.T) {
	runBool(t, "ValidMBI", ValidMBI, []boolCase{
		{"1EG4TE5MK73", true},
		{"9AA0AA0AA00", true},
		{"1A99A99AA99", true}, // positions 3 and 6 may be digits
		{"1EG4-TE5-MK73", false},
		{"1eg4te5mk73", false}, // lower case refused
		{"0EG4TE5MK73", false}, // position 1 is 1-9
		{"11G4TE5MK73", false}, // position 2 letter
		{"1EGATE5MK73", false}, // position 4 digit
		{"1EG45E5MK73", false}, // position 5 letter
		{"1EG4TEAMK73", false}, // position 7 digit
		{"1EG4TE55K73", false}, // position 8 letter
		{"1EG4TE5M173", false}, // position 9 letter
		{"1EG4TE5MKA3", false}, // position 10 digit
		{"1EG4TE5MK7A", false}, // position 11 digit
		{"1SG4TE5MK73", false},
		{"1LG4TE5MK73", false},
		{"1OG4TE5MK73", false},
		{"1IG4TE5MK73", false},
		{"1BG4TE5MK73", false},
		{"1ZG4TE5MK73", false},
		{"1ES4TE5MK73", false}, // excluded letter in position 3
		{"1EG4TE5MK7", false},
		{"1EG4TE5MK733", false},
		{"", false},
	})
}

func TestValidICD10CM(t *testing.T) {
	runBool(t, "ValidICD10CM", ValidICD10CM, []boolCase{
		{"E11.621", true},
		{"L97.422", true},
		{"L89.154", true},
		{"I83.0", true},
		{"L97", true},
		{"S81.801A", true},
		{"C4A.9", true}, // third character a letter
		{"E11621", false},
		{"E11.", false},
		{"E11.62123", false},
		{"e11.621", false},
		{"1E1.621", false},
		{"EA1.621", false},
		{"E1", false},
		{"E11-621", false},
		{"E11.6 1", false},
		{"", false},
	})
}

func TestValidUSState(t *testing.T) {
	runBool(t, "ValidUSState", ValidUSState, []boolCase{
		{"NJ", true}, {"CA", true}, {"DC", true}, {"WY", true},
		{"PR", true}, {"VI", true}, {"GU", true}, {"AS", true}, {"MP", true},
		{"nj", false}, {"XX", false}, {"AE", false}, {"FM", false},
		{"N", false}, {"NJY", false}, {"", false},
	})
	if got := len(usStates); got != 56 {
		t.Errorf("len(usStates) = %d, want 50 states + DC + 5 territories = 56", got)
	}
}

func TestValidZIP(t *testing.T) {
	runBool(t, "ValidZIP", ValidZIP, []boolCase{
		{"07102", true},
		{"07102-1234", true},
		{"0710", false},
		{"071021", false},
		{"07102-123", false},
		{"07102 1234", false},
		{"071021234", false},
		{"0710A", false},
		{"", false},
	})
}

func TestMedicareContractor(t *testing.T) {
	tests := []struct {
		state string
		want  MAC
		ok    bool
	}{
		{"NJ", MACJL, true}, {"DC", MACJL, true}, {"PA", MACJL, true},
		{"NY", MACJK, true}, {"MA", MACJK, true}, {"CT", MACJK, true},
		{"CA", MACJE, true}, {"NV", MACJE, true}, {"GU", MACJE, true},
		{"AZ", MACJF, true}, {"TX", MACJH, true}, {"OH", MACJ15, true},
		{"FL", MACJN, true}, {"PR", MACJN, true}, {"VI", MACJN, true},
		{"VA", MACJM, true}, {"IN", MACJ8, true}, {"IL", MACJ6, true},
		{"IA", MACJ5, true}, {"GA", MACJJ, true},
		{"nj", "", false}, {"XX", "", false}, {"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.state, func(t *testing.T) {
			got, ok := MedicareContractor(tt.state)
			if got != tt.want || ok != tt.ok {
				t.Errorf("MedicareContractor(%q) = (%q, %v), want (%q, %v)",
					tt.state, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestMedicareContractorCoversEveryState checks that every accepted state code has a
// contractor and that every contractor named is a valid jurisdiction.
func TestMedicareContractorCoversEveryState(t *testing.T) {
	for st := range usStates {
		m, ok := MedicareContractor(st)
		if !ok || !m.Valid() {
			t.Errorf("MedicareContractor(%q) = (%q, %v), want a valid jurisdiction", st, m, ok)
		}
	}
	for st := range macByState {
		if !ValidUSState(st) {
			t.Errorf("contractor table names unknown state %q", st)
		}
	}
}

func TestEnumValid(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		good  []string
		bad   []string
	}{
		{"PlaceOfService", func(s string) bool { return PlaceOfService(s).Valid() },
			[]string{"11", "12", "13", "22", "24", "31", "32"}, []string{"21", "1", "office", ""}},
		{"PlanType", func(s string) bool { return PlanType(s).Valid() },
			[]string{"medicare_ffs", "medicare_advantage", "medicaid", "managed_medicaid",
				"commercial", "other"}, []string{"medicare", "MEDICAID", ""}},
		{"Relationship", func(s string) bool { return Relationship(s).Valid() },
			[]string{"self", "spouse", "child", "other"}, []string{"parent", ""}},
		{"Sex", func(s string) bool { return Sex(s).Valid() },
			[]string{"female", "male", "other", "unknown"}, []string{"f", ""}},
		{"WoundType", func(s string) bool { return WoundType(s).Valid() },
			[]string{"diabetic_foot_ulcer", "venous_leg_ulcer", "pressure_injury",
				"arterial_ulcer", "surgical", "traumatic", "burn", "other"},
			[]string{"dfu", ""}},
		{"Laterality", func(s string) bool { return Laterality(s).Valid() },
			[]string{"left", "right", "bilateral", "midline", "n/a"}, []string{"na", ""}},
		{"RequestType", func(s string) bool { return RequestType(s).Valid() },
			[]string{"new", "reverification", "additional_applications", "new_insurance"},
			[]string{"re-verification", ""}},
		{"Frequency", func(s string) bool { return Frequency(s).Valid() },
			[]string{"weekly", "biweekly", "other"}, []string{"daily", ""}},
		{"Carrier", func(s string) bool { return Carrier(s).Valid() },
			[]string{"ups", "fedex", "usps", "dhl", "other"}, []string{"UPS", "ontrac", ""}},
		{"Network", func(s string) bool { return Network(s).Valid() },
			[]string{"in", "out", "unknown"}, []string{"in_network", ""}},
		{"PAStatus", func(s string) bool { return PAStatus(s).Valid() },
			[]string{"pending", "approved", "denied", "not_submitted"}, []string{"expired", ""}},
		{"MAC", func(s string) bool { return MAC(s).Valid() },
			[]string{"JE", "JF", "JH", "JL", "J5", "J6", "J8", "J15", "JJ", "JK", "JM", "JN"},
			[]string{"J1", "je", ""}},
		{"DenyReason", func(s string) bool { return DenyReason(s).Valid() },
			[]string{"not_covered", "inactive_coverage", "missing_information",
				"not_medically_necessary", "out_of_network", "other"}, []string{"fraud", ""}},
		{"DeliveryCondition", func(s string) bool { return DeliveryCondition(s).Valid() },
			[]string{"ok", "issue"}, []string{"damaged", ""}},
	}
	for _, tt := range tests {
		for _, s := range tt.good {
			if !tt.valid(s) {
				t.Errorf("%s(%q).Valid() = false, want true", tt.name, s)
			}
		}
		for _, s := range tt.bad {
			if tt.valid(s) {
				t.Errorf("%s(%q).Valid() = true, want false", tt.name, s)
			}
		}
	}
}
