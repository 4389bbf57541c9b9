package domain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// MustApproval returns a valid approval, the API.md example, for tests to alter.
func MustApproval(tb testing.TB) ApprovalInput {
	tb.Helper()
	onLCD := true
	a := ApprovalInput{
		ValidUntil: "2027-03-01", Notes: "verified by phone", PayerReference: "call ref 123",
		Benefits: []Benefit{{
			CoverageRank: 1, Active: true, PlanType: PlanMedicareFFS, Network: NetworkIn,
			DeductibleCents: 25700, DeductibleMetCents: 25700, CoinsurancePercent: 20,
			MAC: MACJL, LCD: "L35041", ProductOnLCD: &onLCD,
		}},
	}
	if err := a.Validate(rulesNow); err != nil {
		tb.Fatalf("MustApproval: base approval invalid: %v", err)
	}
	return a
}

// withPA returns an approved prior authorization expiring on expires.
func withPA(expires Date) PriorAuth {
	return PriorAuth{Required: true, Status: PAApproved, Number: "PA-77",
		ApprovedUnits: 40, Expires: expires}
}

// commercialBenefit returns a valid benefit for a commercial secondary coverage.
func commercialBenefit(rank int) Benefit {
	return Benefit{CoverageRank: rank, Active: true, PlanType: PlanCommercial,
		Network: NetworkOut, DeductibleCents: 100000, DeductibleMetCents: 2500,
		OOPMaxCents: 500000, OOPMetCents: 1000, CopayCents: 4000, CoinsurancePercent: 12.5}
}

func TestApprovalValidate(t *testing.T) {
	b0 := func(name string) string { return "benefits[0]." + name }
	tests := []struct {
		name   string
		change func(a *ApprovalInput)
		want   []string
	}{
		{"OK", func(a *ApprovalInput) {}, nil},
		{"OK no valid_until", func(a *ApprovalInput) { a.ValidUntil = "" }, nil},
		{"OK tomorrow", func(a *ApprovalInput) { a.ValidUntil = "2026-12-04" }, nil},
		{"OK one year", func(a *ApprovalInput) { a.ValidUntil = "2027-12-03" }, nil},
		{"OK secondary", func(a *ApprovalInput) {
			a.Benefits = append(a.Benefits, commercialBenefit(2))
		}, nil},
		{"OK inactive secondary", func(a *ApprovalInput) {
			b := commercialBenefit(2)
			b.Active = false
			b.PriorAuth = PriorAuth{Required: true, Status: PADenied}
			a.Benefits = append(a.Benefits, b)
		}, nil},
		{"OK pa before valid_until", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = withPA("2027-03-01")
		}, nil},
		{"OK no lcd", func(a *ApprovalInput) {
			a.Benefits[0].LCD, a.Benefits[0].ProductOnLCD = "", nil
		}, nil},
		{"OK met above zero amount", func(a *ApprovalInput) {
			a.Benefits[0].DeductibleCents, a.Benefits[0].DeductibleMetCents = 0, 100
		}, nil},
		{"OK coinsurance bounds", func(a *ApprovalInput) {
			a.Benefits[0].CoinsurancePercent = 100
			a.Benefits = append(a.Benefits, commercialBenefit(2))
			a.Benefits[1].CoinsurancePercent = 0
		}, nil},
		{"OK medicare advantage without mac", func(a *ApprovalInput) {
			a.Benefits[0].PlanType, a.Benefits[0].MAC = PlanMedicareAdvantage, ""
		}, nil},
		{"OK inactive medicare without mac", func(a *ApprovalInput) {
			a.Benefits[0].Active, a.Benefits[0].MAC = false, ""
			a.Benefits = append(a.Benefits, commercialBenefit(2))
		}, nil},
		{"OK pa pending on inactive coverage", func(a *ApprovalInput) {
			a.Benefits[0].Active = false
			a.Benefits[0].PriorAuth = PriorAuth{Required: true, Status: PAPending, Number: "T"}
			a.Benefits = append(a.Benefits, commercialBenefit(2))
		}, nil},
		{"OK product not on lcd", func(a *ApprovalInput) {
			no := false
			a.Benefits[0].ProductOnLCD = &no
		}, nil},
		{"valid_until today", func(a *ApprovalInput) { a.ValidUntil = "2026-12-03" },
			[]string{"valid_until"}},
		{"valid_until past", func(a *ApprovalInput) { a.ValidUntil = "2026-01-01" },
			[]string{"valid_until"}},
		{"valid_until too far", func(a *ApprovalInput) { a.ValidUntil = "2027-12-04" },
			[]string{"valid_until"}},
		{"valid_until format", func(a *ApprovalInput) { a.ValidUntil = "2027-02-29" },
			[]string{"valid_until"}},
		{"valid_until past pa", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = withPA("2027-02-28")
		}, []string{"valid_until"}},
		{"no benefits", func(a *ApprovalInput) { a.Benefits = nil }, []string{"benefits"}},
		{"too many benefits", func(a *ApprovalInput) {
			a.Benefits = append(a.Benefits, commercialBenefit(2), commercialBenefit(3),
				commercialBenefit(3))
		}, []string{"benefits"}},
		{"none active", func(a *ApprovalInput) { a.Benefits[0].Active = false },
			[]string{"benefits"}},
		{"rank", func(a *ApprovalInput) { a.Benefits[0].CoverageRank = 0 },
			[]string{b0("coverage_rank")}},
		{"rank duplicate", func(a *ApprovalInput) {
			a.Benefits = append(a.Benefits, commercialBenefit(1))
		}, []string{"benefits[1].coverage_rank"}},
		{"enums", func(a *ApprovalInput) {
			a.Benefits[0].PlanType, a.Benefits[0].Network = "", "maybe"
		}, []string{b0("network"), b0("plan_type")}},
		{"negative amounts", func(a *ApprovalInput) {
			b := &a.Benefits[0]
			b.DeductibleCents, b.OOPMaxCents, b.OOPMetCents, b.CopayCents = -1, -1, -1, -1
			b.DeductibleMetCents = -1
		}, []string{b0("copay_cents"), b0("deductible_cents"), b0("deductible_met_cents"),
			b0("oop_max_cents"), b0("oop_met_cents")}},
		{"met above amount", func(a *ApprovalInput) {
			b := &a.Benefits[0]
			b.DeductibleMetCents, b.OOPMaxCents, b.OOPMetCents = 25701, 1000, 1001
		}, []string{b0("deductible_met_cents"), b0("oop_met_cents")}},
		{"amount absurd", func(a *ApprovalInput) { a.Benefits[0].CopayCents = maxCents + 1 },
			[]string{b0("copay_cents")}},
		{"coinsurance above 100", func(a *ApprovalInput) {
			a.Benefits[0].CoinsurancePercent = 100.5
		}, []string{b0("coinsurance_percent")}},
		{"coinsurance negative", func(a *ApprovalInput) {
			a.Benefits[0].CoinsurancePercent = -0.1
		}, []string{b0("coinsurance_percent")}},
		{"medicare without mac", func(a *ApprovalInput) { a.Benefits[0].MAC = "" },
			[]string{b0("mac")}},
		{"mac unknown", func(a *ApprovalInput) { a.Benefits[0].MAC = "J9" },
			[]string{b0("mac")}},
		{"lcd format", func(a *ApprovalInput) { a.Benefits[0].LCD = "A35041" },
			[]string{b0("lcd")}},
		{"lcd without answer", func(a *ApprovalInput) { a.Benefits[0].ProductOnLCD = nil },
			[]string{b0("product_on_lcd")}},
		{"answer without lcd", func(a *ApprovalInput) { a.Benefits[0].LCD = "" },
			[]string{b0("product_on_lcd")}},
		{"pa details when not required", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = PriorAuth{Number: "PA-1"}
		}, []string{b0("prior_auth")}},
		{"pa required no status", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = PriorAuth{Required: true}
		}, []string{b0("prior_auth.status")}},
		{"pa pending on active coverage", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = PriorAuth{Required: true, Status: PAPending, Number: "T1"}
		}, []string{b0("prior_auth.status")}},
		{"pa units without approval", func(a *ApprovalInput) {
			a.Benefits[0].Active = false
			a.Benefits = append(a.Benefits, commercialBenefit(2))
			a.Benefits[0].PriorAuth = PriorAuth{Required: true, Status: PADenied,
				ApprovedUnits: 3}
		}, []string{b0("prior_auth")}},
		{"pa approved without details", func(a *ApprovalInput) {
			a.Benefits[0].PriorAuth = PriorAuth{Required: true, Status: PAApproved}
		}, []string{b0("prior_auth.approved_units"), b0("prior_auth.expires"),
			b0("prior_auth.number")}},
		{"pa expired", func(a *ApprovalInput) {
			a.ValidUntil = ""
			a.Benefits[0].PriorAuth = withPA("2026-12-02")
		}, []string{b0("prior_auth.expires")}},
		{"text too long", func(a *ApprovalInput) {
			a.PayerReference = string(make([]byte, 201))
		}, []string{"payer_reference"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := MustApproval(t)
			a.Benefits = append([]Benefit(nil), a.Benefits...)
			tt.change(&a)
			got := fieldKeys(t, a.Validate(rulesNow))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEffectiveValidUntil(t *testing.T) {
	tests := []struct {
		name       string
		validUntil Date
		pa         []PriorAuth
		want       Date
	}{
		{"given", "2027-01-15", nil, "2027-01-15"},
		{"default 90 days", "", nil, "2027-03-03"},
		{"cut by pa", "", []PriorAuth{withPA("2027-02-01")}, "2027-02-01"},
		{"earliest pa wins", "", []PriorAuth{withPA("2027-02-20"), withPA("2027-01-20")},
			"2027-01-20"},
		{"later pa no cut", "", []PriorAuth{withPA("2027-06-01")}, "2027-03-03"},
		{"pending pa ignored", "", []PriorAuth{{Required: true, Status: PAPending,
			Expires: "2027-01-01"}}, "2027-03-03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ApprovalInput{ValidUntil: tt.validUntil}
			for i, pa := range tt.pa {
				b := commercialBenefit(i + 1)
				b.PriorAuth = pa
				a.Benefits = append(a.Benefits, b)
			}
			if got := a.EffectiveValidUntil(rulesNow); got != tt.want {
				t.Errorf("EffectiveValidUntil = %q, want %q", got, tt.want)
			}
		})
	}
	if wholeDays(DefaultValidity) != 90 {
		t.Errorf("DefaultValidity = %v, want 90 days", DefaultValidity)
	}
}

func TestBenefitHelpers(t *testing.T) {
	b := commercialBenefit(1)
	if got := b.DeductibleRemainingCents(); got != 97500 {
		t.Errorf("DeductibleRemainingCents = %d, want 97500", got)
	}
	b.DeductibleMetCents = b.DeductibleCents + 5
	if got := b.DeductibleRemainingCents(); got != 0 {
		t.Errorf("DeductibleRemainingCents over-met = %d, want 0", got)
	}
	a := ApprovalInput{Benefits: []Benefit{commercialBenefit(2), commercialBenefit(1)}}
	if diff := cmp.Diff([]int{2, 1}, a.CoverageRanks()); diff != "" {
		t.Errorf("CoverageRanks mismatch (-want +got):\n%s", diff)
	}
}
