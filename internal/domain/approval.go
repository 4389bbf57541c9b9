package domain

import (
	"fmt"
	"log/slog"
	"time"
)

// DefaultValidity is how long an approval lasts when the specialist gives no
// valid_until: 90 days, cut short by any earlier prior authorization expiry.
const DefaultValidity = 90 * 24 * time.Hour

// MaxValidity is the latest valid_until a specialist may set, counted from today.
const MaxValidity = 365 * 24 * time.Hour

// maxCents bounds money amounts (one hundred million dollars) to catch typing
// mistakes and overflow.
const maxCents = 100_000_000_00

// ApprovalInput is the approve action's body (API.md): the benefits verified per
// coverage and how long the approval lasts. It holds PHI: it prints and logs as
// redacted.
type ApprovalInput struct {
	ValidUntil     Date      `json:"valid_until,omitempty"`
	Notes          string    `json:"notes"`
	PayerReference string    `json:"payer_reference"`
	Benefits       []Benefit `json:"benefits"`
}

// Benefit is what the payer said about one of the patient's coverages.
type Benefit struct {
	CoverageRank       int       `json:"coverage_rank"`
	Active             bool      `json:"active"`
	PlanType           PlanType  `json:"plan_type"`
	Network            Network   `json:"network"`
	DeductibleCents    int64     `json:"deductible_cents"`
	DeductibleMetCents int64     `json:"deductible_met_cents"`
	OOPMaxCents        int64     `json:"oop_max_cents"`
	OOPMetCents        int64     `json:"oop_met_cents"`
	CopayCents         int64     `json:"copay_cents"`
	CoinsurancePercent float64   `json:"coinsurance_percent"`
	PriorAuth          PriorAuth `json:"prior_auth"`
	MAC                MAC       `json:"mac,omitempty"`
	LCD                string    `json:"lcd,omitempty"`
	ProductOnLCD       *bool     `json:"product_on_lcd,omitempty"`
}

// PriorAuth is a coverage's prior authorization. Its details are given only when
// one is required; units and expiry only once it is approved.
type PriorAuth struct {
	Required      bool     `json:"required"`
	Status        PAStatus `json:"status,omitempty"`
	Number        string   `json:"number,omitempty"`
	ApprovedUnits int      `json:"approved_units,omitempty"`
	Expires       Date     `json:"expires,omitempty"`
}

// DeductibleRemainingCents returns what is left of the deductible, never below 0.
func (b Benefit) DeductibleRemainingCents() int64 {
	return max(b.DeductibleCents-b.DeductibleMetCents, 0)
}

// Validate checks the approval with today taken from now (UTC). It returns nil or
// an *Error with CodeInvalid naming each bad field by its JSON path (e.g.
// "benefits[0].coinsurance_percent"). Rules beyond the formats: at least one
// coverage is active; a prior authorization required on an active coverage must be
// approved; valid_until is after today, within MaxValidity and never past an
// approved prior authorization's expiry. The caller checks that every
// coverage_rank names one of the patient's coverages (see CoverageRanks).
func (a ApprovalInput) Validate(now time.Time) error {
	var fe FieldErrors
	today := DateOf(now)
	checkText(&fe, "notes", a.Notes, false, maxMessage)
	checkText(&fe, "payer_reference", a.PayerReference, false, maxLine)
	a.checkBenefits(&fe, today)
	if checkDate(&fe, "valid_until", a.ValidUntil, false) {
		switch limit, ok := a.paExpiry(); {
		case a.ValidUntil <= today:
			fe.Add("valid_until", "must be after today")
		case a.ValidUntil > today.AddDays(wholeDays(MaxValidity)):
			fe.Add("valid_until", fmt.Sprintf("must be within %d days", wholeDays(MaxValidity)))
		case ok && a.ValidUntil > limit:
			fe.Add("valid_until", "must not be after a prior authorization's expiry")
		}
	}
	return fe.Err()
}

// checkBenefits checks the benefit list: one to MaxCoverages entries, distinct
// ranks, at least one active coverage.
func (a ApprovalInput) checkBenefits(fe *FieldErrors, today Date) {
	if len(a.Benefits) == 0 || len(a.Benefits) > MaxCoverages {
		fe.Add("benefits", fmt.Sprintf("must have 1 to %d entries", MaxCoverages))
		return
	}
	seen := map[int]bool{}
	active := false
	for i, b := range a.Benefits {
		b.validate(fe, i, today)
		if seen[b.CoverageRank] {
			fe.Add(fieldAt("benefits", i, "coverage_rank"), msgDup)
		}
		seen[b.CoverageRank] = true
		active = active || b.Active
	}
	if !active {
		fe.Add("benefits", "at least one coverage must be active to approve")
	}
}

// validate checks one benefit at index i.
func (b Benefit) validate(fe *FieldErrors, i int, today Date) {
	f := func(name string) string { return fieldAt("benefits", i, name) }
	checkRange(fe, f("coverage_rank"), b.CoverageRank, 1, MaxCoverages)
	checkEnum(fe, f("plan_type"), b.PlanType, true, PlanType.Valid)
	checkEnum(fe, f("network"), b.Network, true, Network.Valid)
	checkAmount(fe, f("deductible_met_cents"), b.DeductibleMetCents, b.DeductibleCents)
	checkAmount(fe, f("deductible_cents"), b.DeductibleCents, 0)
	checkAmount(fe, f("oop_met_cents"), b.OOPMetCents, b.OOPMaxCents)
	checkAmount(fe, f("oop_max_cents"), b.OOPMaxCents, 0)
	checkAmount(fe, f("copay_cents"), b.CopayCents, 0)
	if p := b.CoinsurancePercent; !(p >= 0 && p <= 100) {
		fe.Add(f("coinsurance_percent"), "must be between 0 and 100")
	}
	b.PriorAuth.validate(fe, f("prior_auth"), b.Active, today)
	b.checkMedicare(fe, f)
}

// checkAmount records a problem with an amount in cents: below zero, absurdly
// large, or above limit when limit (the amount a "met" figure counts toward) is
// above zero.
func checkAmount(fe *FieldErrors, field string, cents, limit int64) {
	switch {
	case cents < 0:
		fe.Add(field, "must not be negative")
	case cents > maxCents:
		fe.Add(field, "is too large")
	case limit > 0 && cents > limit:
		fe.Add(field, "must not exceed the amount it counts toward")
	}
}

// checkMedicare checks the contractor and coverage policy fields: an active
// Medicare fee-for-service coverage names its MAC; an LCD has the form L plus
// five digits; product_on_lcd goes with an LCD and is required with one.
func (b Benefit) checkMedicare(fe *FieldErrors, f func(string) string) {
	if b.MAC == "" && b.Active && b.PlanType == PlanMedicareFFS {
		fe.Add(f("mac"), "is required for an active Medicare fee-for-service coverage")
	}
	checkEnum(fe, f("mac"), b.MAC, false, MAC.Valid)
	switch {
	case b.LCD == "" && b.ProductOnLCD != nil:
		fe.Add(f("product_on_lcd"), "requires lcd")
	case b.LCD == "":
	case len(b.LCD) != 6 || b.LCD[0] != 'L' || !allDigits(b.LCD[1:]):
		fe.Add(f("lcd"), "must be an LCD id such as L35041")
	case b.ProductOnLCD == nil:
		fe.Add(f("product_on_lcd"), "is required when lcd is given")
	}
}

// validate checks a prior authorization under prefix. Details are refused when
// none is required; when required on an active coverage it must be approved, with
// a number, units and an expiry not in the past.
func (p PriorAuth) validate(fe *FieldErrors, prefix string, active bool, today Date) {
	f := func(name string) string { return prefix + "." + name }
	if !p.Required {
		if p != (PriorAuth{}) {
			fe.Add(prefix, "must hold only required=false when none is required")
		}
		return
	}
	checkEnum(fe, f("status"), p.Status, true, PAStatus.Valid)
	if p.Status != PAApproved {
		if active && p.Status.Valid() {
			fe.Add(f("status"), "must be approved before the request can be approved")
		}
		if p.ApprovedUnits != 0 || p.Expires != "" {
			fe.Add(prefix, "approved_units and expires go with an approved authorization")
		}
		checkText(fe, f("number"), p.Number, false, maxShort)
		return
	}
	checkText(fe, f("number"), p.Number, true, maxShort)
	checkRange(fe, f("approved_units"), p.ApprovedUnits, 1, 100000)
	if checkDate(fe, f("expires"), p.Expires, true) && p.Expires < today {
		fe.Add(f("expires"), msgPast)
	}
}

// paExpiry returns the earliest expiry among approved prior authorizations, and
// false when there is none.
func (a ApprovalInput) paExpiry() (Date, bool) {
	var first Date
	for _, b := range a.Benefits {
		pa := b.PriorAuth
		if pa.Required && pa.Status == PAApproved && pa.Expires.Valid() {
			if first == "" || pa.Expires < first {
				first = pa.Expires
			}
		}
	}
	return first, first != ""
}

// EffectiveValidUntil returns the date the approval lasts until: valid_until when
// given, otherwise today plus DefaultValidity, cut to the earliest approved prior
// authorization expiry. Call it after Validate has passed.
func (a ApprovalInput) EffectiveValidUntil(now time.Time) Date {
	if a.ValidUntil != "" {
		return a.ValidUntil
	}
	d := DateOf(now).AddDays(wholeDays(DefaultValidity))
	if limit, ok := a.paExpiry(); ok && limit < d {
		return limit
	}
	return d
}

// CoverageRanks returns the coverage ranks the benefits refer to, in order, for
// the caller to match against the patient's coverages.
func (a ApprovalInput) CoverageRanks() []int {
	out := make([]int, 0, len(a.Benefits))
	for _, b := range a.Benefits {
		out = append(out, b.CoverageRank)
	}
	return out
}

// wholeDays converts a whole number of days held as a duration.
func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Format prints a as redacted whatever the verb, so PHI cannot reach a log.
func (a ApprovalInput) Format(f fmt.State, _ rune) { writeRedacted(f, "ApprovalInput") }

// LogValue logs a as redacted.
func (a ApprovalInput) LogValue() slog.Value { return redactedValue("ApprovalInput") }

// Format prints b as redacted whatever the verb.
func (b Benefit) Format(f fmt.State, _ rune) { writeRedacted(f, "Benefit") }

// LogValue logs b as redacted.
func (b Benefit) LogValue() slog.Value { return redactedValue("Benefit") }
