package domain

import (
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rulesNow is the fixed "now" of the validation tests: 3 December 2026, 16:00 UTC.
var rulesNow = time.Date(2026, 12, 3, 16, 0, 0, 0, time.UTC)

// fieldKeys returns the sorted field paths of a validation error, nil for nil, and
// fails the test for an error that is not a CodeInvalid *Error.
func fieldKeys(tb testing.TB, err error) []string {
	tb.Helper()
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid {
		tb.Fatalf("err = %v, want a CodeInvalid *Error", err)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// MustPatient returns a valid patient input for tests to alter.
func MustPatient(tb testing.TB) PatientInput {
	tb.Helper()
	p := PatientInput{
		FirstName: "Ada", LastName: "Quill", BirthDate: "1950-04-02", Sex: SexFemale,
		MRN: "MRN-1001", Phone: "+1-555-0100",
		Address: Address{Line1: "1 Main St", City: "Newark", State: "NJ", ZIP: "07102"},
		Coverages: []CoverageInput{{
			Rank: 1, PayerID: "payer-1", PlanType: PlanMedicareFFS,
			MemberID: "1EG4TE5MK73", Relationship: RelSelf, EffectiveDate: "2026-01-01",
		}},
	}
	if err := p.Validate(rulesNow); err != nil {
		tb.Fatalf("MustPatient: base patient invalid: %v", err)
	}
	return p
}

// secondary returns a valid secondary coverage through a spouse.
func secondary(rank int) CoverageInput {
	return CoverageInput{
		Rank: rank, PayerID: "payer-2", PlanType: PlanCommercial, MemberID: "XYZ123",
		GroupNumber: "G-9", Relationship: RelSpouse, SubscriberName: "Bo Quill",
		SubscriberBirthDate: "1948-07-19", EffectiveDate: "2025-01-01", EndDate: "2027-01-01",
	}
}

func TestPatientValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *PatientInput)
		want   []string
	}{
		{"OK", func(p *PatientInput) {}, nil},
		{"OK minimal", func(p *PatientInput) {
			p.MRN, p.Phone, p.Address, p.Coverages = "", "", Address{}, nil
		}, nil},
		{"OK email and zip+4", func(p *PatientInput) {
			p.Email, p.Address.ZIP = "ada@example.org", "07102-1234"
		}, nil},
		{"OK secondary", func(p *PatientInput) {
			p.Coverages = append(p.Coverages, secondary(2))
		}, nil},
		{"OK ranks out of order", func(p *PatientInput) {
			p.Coverages = []CoverageInput{secondary(2), p.Coverages[0]}
		}, nil},
		{"OK born today", func(p *PatientInput) { p.BirthDate = "2026-12-03" }, nil},
		{"OK 130 years", func(p *PatientInput) { p.BirthDate = "1896-12-03" }, nil},
		{"names missing", func(p *PatientInput) { p.FirstName, p.LastName = "", "  " },
			[]string{"first_name", "last_name"}},
		{"name too long", func(p *PatientInput) { p.MiddleName = strings.Repeat("x", 101) },
			[]string{"middle_name"}},
		{"control char", func(p *PatientInput) { p.LastName = "Qu\x00ill" },
			[]string{"last_name"}},
		{"birth date missing", func(p *PatientInput) { p.BirthDate = "" },
			[]string{"birth_date"}},
		{"birth date format", func(p *PatientInput) { p.BirthDate = "04/02/1950" },
			[]string{"birth_date"}},
		{"birth date impossible", func(p *PatientInput) { p.BirthDate = "1950-02-30" },
			[]string{"birth_date"}},
		{"birth date future", func(p *PatientInput) { p.BirthDate = "2026-12-04" },
			[]string{"birth_date"}},
		{"birth date too old", func(p *PatientInput) { p.BirthDate = "1896-12-02" },
			[]string{"birth_date"}},
		{"sex", func(p *PatientInput) { p.Sex = "f" }, []string{"sex"}},
		{"sex missing", func(p *PatientInput) { p.Sex = "" }, []string{"sex"}},
		{"phone letters", func(p *PatientInput) { p.Phone = "555-CALL" }, []string{"phone"}},
		{"phone short", func(p *PatientInput) { p.Phone = "555-01" }, []string{"phone"}},
		{"phone plus inside", func(p *PatientInput) { p.Phone = "1+5550100" },
			[]string{"phone"}},
		{"email", func(p *PatientInput) { p.Email = "ada@" }, []string{"email"}},
		{"email display name", func(p *PatientInput) { p.Email = "Ada <ada@example.org>" },
			[]string{"email"}},
		{"email no dot", func(p *PatientInput) { p.Email = "ada@localhost" },
			[]string{"email"}},
		{"address partial", func(p *PatientInput) { p.Address = Address{City: "Newark"} },
			[]string{"address.line1", "address.state", "address.zip"}},
		{"address state", func(p *PatientInput) { p.Address.State = "nj" },
			[]string{"address.state"}},
		{"address zip", func(p *PatientInput) { p.Address.ZIP = "7102" },
			[]string{"address.zip"}},
		{"coverage fields missing", func(p *PatientInput) {
			p.Coverages[0] = CoverageInput{Rank: 1}
		}, []string{"coverages[0].member_id", "coverages[0].payer_id",
			"coverages[0].plan_type", "coverages[0].relationship"}},
		{"mbi format", func(p *PatientInput) { p.Coverages[0].MemberID = "1EG4TE5MK7O" },
			[]string{"coverages[0].member_id"}},
		{"non-medicare member id free", func(p *PatientInput) {
			p.Coverages[0].PlanType, p.Coverages[0].MemberID = PlanMedicareAdvantage, "W123"
		}, nil},
		{"plan type", func(p *PatientInput) { p.Coverages[0].PlanType = "medicare" },
			[]string{"coverages[0].plan_type"}},
		{"relationship", func(p *PatientInput) { p.Coverages[0].Relationship = "parent" },
			[]string{"coverages[0].relationship"}},
		{"self with subscriber", func(p *PatientInput) {
			p.Coverages[0].SubscriberName = "Ada Quill"
			p.Coverages[0].SubscriberBirthDate = "1950-04-02"
		}, []string{"coverages[0].subscriber_birth_date", "coverages[0].subscriber_name"}},
		{"spouse without subscriber", func(p *PatientInput) {
			c := secondary(2)
			c.SubscriberName, c.SubscriberBirthDate = "", ""
			p.Coverages = append(p.Coverages, c)
		}, []string{"coverages[1].subscriber_birth_date", "coverages[1].subscriber_name"}},
		{"subscriber born in future", func(p *PatientInput) {
			c := secondary(2)
			c.SubscriberBirthDate = "2030-01-01"
			p.Coverages = append(p.Coverages, c)
		}, []string{"coverages[1].subscriber_birth_date"}},
		{"end before effective", func(p *PatientInput) {
			p.Coverages[0].EndDate = "2025-12-31"
		}, []string{"coverages[0].end_date"}},
		{"end equals effective", func(p *PatientInput) {
			p.Coverages[0].EndDate = "2026-01-01"
		}, nil},
		{"effective date format", func(p *PatientInput) {
			p.Coverages[0].EffectiveDate = "2026-1-1"
		}, []string{"coverages[0].effective_date"}},
		{"rank zero", func(p *PatientInput) { p.Coverages[0].Rank = 0 },
			[]string{"coverages[0].rank"}},
		{"rank four", func(p *PatientInput) { p.Coverages[0].Rank = 4 },
			[]string{"coverages[0].rank"}},
		{"rank gap", func(p *PatientInput) {
			p.Coverages = append(p.Coverages, secondary(3))
		}, []string{"coverages[1].rank"}},
		{"rank starts at two", func(p *PatientInput) { p.Coverages[0].Rank = 2 },
			[]string{"coverages[0].rank"}},
		{"rank duplicate", func(p *PatientInput) {
			p.Coverages = append(p.Coverages, secondary(1))
		}, []string{"coverages[1].rank"}},
		{"too many coverages", func(p *PatientInput) {
			p.Coverages = append(p.Coverages, secondary(2), secondary(3), secondary(4))
		}, []string{"coverages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := MustPatient(t)
			tt.change(&p)
			got := fieldKeys(t, p.Validate(rulesNow))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidationErrorsHoldNoValues checks that a field error names the rule, never
// the offending value.
func TestValidationErrorsHoldNoValues(t *testing.T) {
	p := MustPatient(t)
	p.BirthDate = "2099-01-01"
	p.Coverages[0].MemberID = "SECRETMBI99"
	p.Email = "ada.secret@"
	err := p.Validate(rulesNow)
	for _, v := range []string{"2099", "SECRETMBI99", "ada.secret"} {
		if strings.Contains(err.Error(), v) {
			t.Errorf("error %q contains the value %q", err, v)
		}
	}
}

func TestPatientPatchApply(t *testing.T) {
	p := MustPatient(t)
	name, flags := "Adele", PatientFlags{Hospice: true}
	covs := []CoverageInput{secondary(1)}
	PatientPatch{FirstName: &name, Flags: &flags, Coverages: &covs}.Apply(&p)

	want := MustPatient(t)
	want.FirstName, want.Flags, want.Coverages = "Adele", flags, covs
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("Apply mismatch (-want +got):\n%s", diff)
	}
	covs[0].MemberID = "changed"
	if p.Coverages[0].MemberID == "changed" {
		t.Error("Apply shares the patch's coverage slice")
	}

	empty := MustPatient(t)
	PatientPatch{}.Apply(&empty)
	if diff := cmp.Diff(MustPatient(t), empty); diff != "" {
		t.Errorf("empty patch changed the patient (-want +got):\n%s", diff)
	}
}

func TestPatientInitials(t *testing.T) {
	tests := []struct{ first, last, want string }{
		{"Ada", "Quill", "A.Q."},
		{"ada", "quill", "A.Q."},
		{" Émile", "Ørsted", "É.Ø."},
		{"Ada", "", "A."},
		{"", "Quill", "Q."},
		{"", "", ""},
		{"'Ada", "O'Neil", "A.O."},
		{"123", "Quill", "Q."},
	}
	for _, tt := range tests {
		if got := PatientInitials(tt.first, tt.last); got != tt.want {
			t.Errorf("PatientInitials(%q, %q) = %q, want %q", tt.first, tt.last, got, tt.want)
		}
	}
}

// TestRedaction checks that every PHI-holding input prints and logs without its
// contents.
func TestRedaction(t *testing.T) {
	p := MustPatient(t)
	values := []any{p, &p, p.Address, p.Coverages[0], PatientPatch{FirstName: &p.FirstName},
		MustIVR(t), MustApproval(t), WoundInput{Site: "Quill"},
		DenyInput{Reason: "Quill"}, RequestInfoInput{Items: []string{"Quill"}},
		RespondInput{Message: "Quill"}, CancelInput{Reason: "Quill"},
		EscalateInput{Reason: "Quill"}, DeliverInput{Note: "Quill"},
		IVRPatch{DiagnosisCodes: &[]string{"Quill"}}}
	for _, v := range values {
		name := fmt.Sprintf("%T", v)
		t.Run(name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				if out := fmt.Sprintf(verb, v); strings.Contains(out, "Quill") ||
					strings.Contains(out, "E11") || !strings.Contains(out, "redacted") {
					t.Errorf("%s printed %q", verb, out)
				}
			}
			var b strings.Builder
			slog.New(slog.NewTextHandler(&b, nil)).Info("x", "v", v)
			if strings.Contains(b.String(), "Quill") || !strings.Contains(b.String(), "redacted") {
				t.Errorf("log line %q", b.String())
			}
		})
	}
}

func TestPatientPatchApplyValidated(t *testing.T) {
	good, bad := "Adele", Date("2030-01-01")
	p := MustPatient(t)
	if err := (PatientPatch{BirthDate: &bad}).ApplyValidated(&p, rulesNow); err == nil {
		t.Fatal("future birth date accepted")
	}
	if diff := cmp.Diff(MustPatient(t), p); diff != "" {
		t.Errorf("refused patch changed the patient (-want +got):\n%s", diff)
	}
	if err := (PatientPatch{FirstName: &good}).ApplyValidated(&p, rulesNow); err != nil {
		t.Fatalf("ApplyValidated: %v", err)
	}
	if p.FirstName != "Adele" {
		t.Errorf("FirstName = %q, want Adele", p.FirstName)
	}
}
