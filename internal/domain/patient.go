package domain

import (
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// MaxAgeYears is how far back a birth date may lie.
const MaxAgeYears = 130

// MaxCoverages is how many coverages a patient may have: primary, secondary and
// tertiary.
const MaxCoverages = 3

// PatientInput is the patient body of POST and the result of applying a PATCH
// (API.md). It holds PHI: it prints and logs as redacted.
type PatientInput struct {
	FirstName  string          `json:"first_name"`
	MiddleName string          `json:"middle_name"`
	LastName   string          `json:"last_name"`
	BirthDate  Date            `json:"birth_date"`
	Sex        Sex             `json:"sex"`
	MRN        string          `json:"mrn"`
	Phone      string          `json:"phone"`
	Email      string          `json:"email"`
	Address    Address         `json:"address"`
	Flags      PatientFlags    `json:"flags"`
	Coverages  []CoverageInput `json:"coverages"`
}

// Address is a US postal address. It holds PHI.
type Address struct {
	Line1 string `json:"line1"`
	Line2 string `json:"line2"`
	City  string `json:"city"`
	State string `json:"state"`
	ZIP   string `json:"zip"`
}

// PatientFlags are the facts that change who pays for wound care.
type PatientFlags struct {
	InSNF        bool `json:"in_snf"`
	PartAStay    bool `json:"part_a_stay"`
	Hospice      bool `json:"hospice"`
	GlobalPeriod bool `json:"global_period"`
}

// CoverageInput is one of a patient's insurance coverages. It holds PHI.
type CoverageInput struct {
	Rank                int          `json:"rank"`
	PayerID             string       `json:"payer_id"`
	PlanType            PlanType     `json:"plan_type"`
	MemberID            string       `json:"member_id"`
	GroupNumber         string       `json:"group_number"`
	Relationship        Relationship `json:"relationship"`
	SubscriberName      string       `json:"subscriber_name,omitempty"`
	SubscriberBirthDate Date         `json:"subscriber_birth_date,omitempty"`
	EffectiveDate       Date         `json:"effective_date,omitempty"`
	EndDate             Date         `json:"end_date,omitempty"`
}

// Validate checks the patient against the rules of the API contract, with today
// taken from now (UTC). It returns nil, or an *Error with CodeInvalid whose Fields
// name each bad field by its JSON path (e.g. "coverages[0].member_id"). The
// payer ids still have to be looked up in the payer directory by the caller.
func (p PatientInput) Validate(now time.Time) error {
	var fe FieldErrors
	today := DateOf(now)
	checkText(&fe, "first_name", p.FirstName, true, maxName)
	checkText(&fe, "middle_name", p.MiddleName, false, maxName)
	checkText(&fe, "last_name", p.LastName, true, maxName)
	checkBirthDate(&fe, "birth_date", p.BirthDate, true, today)
	checkEnum(&fe, "sex", p.Sex, true, Sex.Valid)
	checkText(&fe, "mrn", p.MRN, false, maxShort)
	checkPhone(&fe, "phone", p.Phone)
	checkEmail(&fe, "email", p.Email)
	p.Address.validate(&fe, "address")
	checkCoverages(&fe, p.Coverages, today)
	return fe.Err()
}

// checkBirthDate records a problem with a birth date: missing when required,
// malformed, in the future, or more than MaxAgeYears before today.
func checkBirthDate(fe *FieldErrors, field string, d Date, required bool, today Date) {
	if !checkDate(fe, field, d, required) {
		return
	}
	switch {
	case d > today:
		fe.Add(field, msgFuture)
	case d < today.AddYears(-MaxAgeYears):
		fe.Add(field, fmt.Sprintf("must be within the last %d years", MaxAgeYears))
	}
}

// checkPhone accepts an optional phone number of 7 to 15 digits written with
// spaces, dashes, dots, parentheses and a leading plus.
func checkPhone(fe *FieldErrors, field, s string) {
	if s == "" {
		return
	}
	digits := 0
	for i, r := range s {
		switch {
		case unicode.IsDigit(r) && r < 128:
			digits++
		case r == '+' && i == 0, strings.ContainsRune(" -.()", r):
		default:
			fe.Add(field, "must hold only digits, spaces and + - . ( )")
			return
		}
	}
	if digits < 7 || digits > 15 {
		fe.Add(field, "must have 7 to 15 digits")
	}
}

// checkEmail accepts an optional bare e-mail address (no display name).
func checkEmail(fe *FieldErrors, field, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > maxEmail ||
		!strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		fe.Add(field, "must be an e-mail address")
	}
}

// validate checks an address. The address is optional as a whole; once any part
// is given, line1, city, state and zip are required.
func (a Address) validate(fe *FieldErrors, prefix string) {
	if a == (Address{}) {
		return
	}
	checkText(fe, prefix+".line1", a.Line1, true, maxLine)
	checkText(fe, prefix+".line2", a.Line2, false, maxLine)
	checkText(fe, prefix+".city", a.City, true, maxName)
	checkEnum(fe, prefix+".state", a.State, true, ValidUSState)
	checkEnum(fe, prefix+".zip", a.ZIP, true, ValidZIP)
}

// checkCoverages checks each coverage and that their ranks run 1, 2, 3 without
// gaps or duplicates. No coverage at all is accepted here (self-pay or not yet
// known); an IVR needs one, which the caller checks.
func checkCoverages(fe *FieldErrors, cs []CoverageInput, today Date) {
	if len(cs) > MaxCoverages {
		fe.Add("coverages", fmt.Sprintf("must have at most %d entries", MaxCoverages))
		return
	}
	seen := map[int]bool{}
	for i, c := range cs {
		c.validate(fe, i, today)
		field := fieldAt("coverages", i, "rank")
		switch {
		case c.Rank < 1 || c.Rank > MaxCoverages:
			fe.Add(field, fmt.Sprintf("must be between 1 and %d", MaxCoverages))
		case seen[c.Rank]:
			fe.Add(field, msgDup)
		case c.Rank > len(cs):
			fe.Add(field, "ranks must run from 1 without gaps")
		}
		seen[c.Rank] = true
	}
}

// validate checks one coverage at index i.
func (c CoverageInput) validate(fe *FieldErrors, i int, today Date) {
	f := func(name string) string { return fieldAt("coverages", i, name) }
	checkText(fe, f("payer_id"), c.PayerID, true, maxID)
	checkEnum(fe, f("plan_type"), c.PlanType, true, PlanType.Valid)
	checkText(fe, f("member_id"), c.MemberID, true, maxShort)
	if c.PlanType == PlanMedicareFFS && c.MemberID != "" && !ValidMBI(c.MemberID) {
		fe.Add(f("member_id"), "must be a Medicare Beneficiary Identifier (MBI)")
	}
	checkText(fe, f("group_number"), c.GroupNumber, false, maxShort)
	checkEnum(fe, f("relationship"), c.Relationship, true, Relationship.Valid)
	if c.Relationship == RelSelf {
		if c.SubscriberName != "" {
			fe.Add(f("subscriber_name"), "must be empty when relationship is self")
		}
		if c.SubscriberBirthDate != "" {
			fe.Add(f("subscriber_birth_date"), "must be empty when relationship is self")
		}
	} else if c.Relationship.Valid() {
		checkText(fe, f("subscriber_name"), c.SubscriberName, true, maxLine)
		checkBirthDate(fe, f("subscriber_birth_date"), c.SubscriberBirthDate, true, today)
	}
	okFrom := checkDate(fe, f("effective_date"), c.EffectiveDate, false)
	okTo := checkDate(fe, f("end_date"), c.EndDate, false)
	if okFrom && okTo && c.EndDate < c.EffectiveDate {
		fe.Add(f("end_date"), "must not be before effective_date")
	}
}

// PatientPatch is the PATCH body for a patient: a nil field is left unchanged.
// Address, Flags and Coverages replace the whole value when given. It holds PHI.
type PatientPatch struct {
	FirstName  *string          `json:"first_name"`
	MiddleName *string          `json:"middle_name"`
	LastName   *string          `json:"last_name"`
	BirthDate  *Date            `json:"birth_date"`
	Sex        *Sex             `json:"sex"`
	MRN        *string          `json:"mrn"`
	Phone      *string          `json:"phone"`
	Email      *string          `json:"email"`
	Address    *Address         `json:"address"`
	Flags      *PatientFlags    `json:"flags"`
	Coverages  *[]CoverageInput `json:"coverages"`
}

// Apply writes the fields set in pp over p. Validate p afterwards.
func (pp PatientPatch) Apply(p *PatientInput) {
	setIfGiven(&p.FirstName, pp.FirstName)
	setIfGiven(&p.MiddleName, pp.MiddleName)
	setIfGiven(&p.LastName, pp.LastName)
	setIfGiven(&p.BirthDate, pp.BirthDate)
	setIfGiven(&p.Sex, pp.Sex)
	setIfGiven(&p.MRN, pp.MRN)
	setIfGiven(&p.Phone, pp.Phone)
	setIfGiven(&p.Email, pp.Email)
	setIfGiven(&p.Address, pp.Address)
	setIfGiven(&p.Flags, pp.Flags)
	if pp.Coverages != nil {
		p.Coverages = append([]CoverageInput(nil), (*pp.Coverages)...)
	}
}

// ApplyValidated applies pp to a copy of *p and validates the result. It writes
// the result to *p only when it is valid, and otherwise returns the *Error with
// CodeInvalid.
func (pp PatientPatch) ApplyValidated(p *PatientInput, now time.Time) error {
	next := *p
	pp.Apply(&next)
	if err := next.Validate(now); err != nil {
		return err
	}
	*p = next
	return nil
}

// setIfGiven copies *v into dst when v is not nil.
func setIfGiven[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// PatientInitials returns the initials of a name, each an upper-case letter
// followed by a dot ("A.Q."). A part without a letter is left out.
func PatientInitials(first, last string) string {
	var b strings.Builder
	for _, part := range []string{first, last} {
		for _, r := range part {
			if unicode.IsLetter(r) {
				b.WriteRune(unicode.ToUpper(r))
				b.WriteByte('.')
				break
			}
		}
	}
	return b.String()
}

// Format prints p as redacted whatever the verb, so PHI cannot reach a log.
func (p PatientInput) Format(f fmt.State, _ rune) { writeRedacted(f, "PatientInput") }

// LogValue logs p as redacted.
func (p PatientInput) LogValue() slog.Value { return redactedValue("PatientInput") }

// Format prints pp as redacted whatever the verb.
func (pp PatientPatch) Format(f fmt.State, _ rune) { writeRedacted(f, "PatientPatch") }

// LogValue logs pp as redacted.
func (pp PatientPatch) LogValue() slog.Value { return redactedValue("PatientPatch") }

// Format prints a as redacted whatever the verb.
func (a Address) Format(f fmt.State, _ rune) { writeRedacted(f, "Address") }

// LogValue logs a as redacted.
func (a Address) LogValue() slog.Value { return redactedValue("Address") }

// Format prints c as redacted whatever the verb.
func (c CoverageInput) Format(f fmt.State, _ rune) { writeRedacted(f, "CoverageInput") }

// LogValue logs c as redacted.
func (c CoverageInput) LogValue() slog.Value { return redactedValue("CoverageInput") }
