package x12

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// Cents is an amount of money in US cents.
type Cents int64

// ParseCents reads an X12 decimal amount ("1500", "1500.00", "12.5", "-3") as cents.
// It returns an error for anything else, including more than two decimals.
func ParseCents(s string) (Cents, error) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if (whole == "" && frac == "") || len(frac) > 2 || len(whole) > 15 ||
		(whole != "" && !digits(whole)) || (frac != "" && !digits(frac)) {
		return 0, fmt.Errorf("x12: invalid amount")
	}
	var n int64
	if whole != "" {
		n, _ = strconv.ParseInt(whole, 10, 64)
	}
	frac += "00"[len(frac):]
	f, _ := strconv.ParseInt(frac, 10, 64)
	c := Cents(n*100 + f)
	if neg {
		c = -c
	}
	return c, nil
}

// String formats c as dollars, e.g. "1500.00".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Response271 is the normalised summary of one patient in a 271: the subscriber
// loop (2000C) with its dependent (2000D) if any, and the payer and provider above
// it. Transaction-level rejections (2000A, 2100A, 2100B) appear in every patient's
// summary. Codes are kept raw beside their names; a code we do not know has an
// empty name but is never dropped.
type Response271 struct {
	ControlNumber string       `json:"controlNumber"` // ST02
	Reference     string       `json:"reference"`     // BHT03, the submitter's reference
	Traces        []Trace      `json:"traces,omitempty"`
	Payer         Entity       `json:"payer"`
	Provider      Entity       `json:"provider"`
	Subscriber    Member       `json:"subscriber"`
	Dependent     *Member      `json:"dependent,omitempty"`
	Active        bool         `json:"active"` // at least one plan has active coverage
	Dates         []DateInfo   `json:"dates,omitempty"`
	Plans         []Plan       `json:"plans,omitempty"`
	OtherPayers   []OtherPayer `json:"otherPayers,omitempty"`
	Rejections    []Rejection  `json:"rejections,omitempty"`
}

// Trace is a TRN segment: type 1 is the submitter's own, type 2 an echo of it.
type Trace struct {
	Type       string `json:"type"`
	Number     string `json:"number"`
	Originator string `json:"originator,omitempty"`
}

// Entity is an organisation or person named by NM1, with N3/N4/PER in loop 2120.
type Entity struct {
	Code        string   `json:"code"` // NM101: PR payer, 1P provider, P3, PRP, …
	Name        string   `json:"name,omitempty"`
	FirstName   string   `json:"firstName,omitempty"`
	IDQualifier string   `json:"idQualifier,omitempty"`
	ID          string   `json:"id,omitempty"`
	Address     []string `json:"address,omitempty"`
	Contacts    []string `json:"contacts,omitempty"` // PER pairs as "TE:8005551212"
}

// Member is the subscriber or dependent as the payer returned them. It is
// protected health information: String, Format and LogValue redact it.
type Member struct {
	MemberID    string `json:"memberId,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	MiddleName  string `json:"middleName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	BirthDate   string `json:"birthDate,omitempty"` // YYYY-MM-DD
	Sex         string `json:"sex,omitempty"`
	GroupNumber string `json:"groupNumber,omitempty"` // REF*6P
}

// String returns a fixed placeholder.
func (Member) String() string { return "x12.Member{REDACTED}" }

// Format prints the placeholder for every verb.
func (m Member) Format(f fmt.State, _ rune) { fmt.Fprint(f, m.String()) }

// LogValue redacts the member in structured logs.
func (m Member) LogValue() slog.Value { return slog.StringValue(m.String()) }

// DateInfo is a DTP segment: a date or a range, as YYYY-MM-DD.
type DateInfo struct {
	Qualifier string `json:"qualifier"`
	Meaning   string `json:"meaning,omitempty"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
	Raw       string `json:"raw,omitempty"` // DTP03 when it is not a D8 or RD8 date
}

// Plan groups the benefit lines of one insurance type and plan name.
type Plan struct {
	InsuranceType     string        `json:"insuranceType,omitempty"` // EB04
	InsuranceTypeName string        `json:"insuranceTypeName,omitempty"`
	Name              string        `json:"name,omitempty"`   // EB05
	Status            string        `json:"status,omitempty"` // EB01 of the coverage line
	StatusName        string        `json:"statusName,omitempty"`
	Active            bool          `json:"active"`
	Dates             []DateInfo    `json:"dates,omitempty"`
	Deductibles       []Accumulator `json:"deductibles,omitempty"`
	OutOfPocket       []Accumulator `json:"outOfPocket,omitempty"`
	Copays            []CostShare   `json:"copays,omitempty"`
	Coinsurance       []CostShare   `json:"coinsurance,omitempty"`
	// PriorAuthRequired is true when any line of the plan has EB11 "Y".
	PriorAuthRequired bool      `json:"priorAuthRequired"`
	PriorAuth         []string  `json:"priorAuthFor,omitempty"` // service types or procedures
	Messages          []string  `json:"messages,omitempty"`
	Benefits          []Benefit `json:"benefits"`
}

// Accumulator is a deductible or out-of-pocket limit for one coverage level and
// network: the amount for the period, what is met and what remains.
type Accumulator struct {
	Level        string   `json:"level,omitempty"`   // EB02: IND, FAM, …
	Network      string   `json:"network,omitempty"` // EB12
	ServiceTypes []string `json:"serviceTypes,omitempty"`
	Period       string   `json:"period,omitempty"` // EB06 of the total: 23, 22, 25, 32, …
	Total        *Cents   `json:"totalCents,omitempty"`
	Met          *Cents   `json:"metCents,omitempty"`
	Remaining    *Cents   `json:"remainingCents,omitempty"`
}

// CostShare is a copay (amount) or coinsurance (percent, 0–100) line.
type CostShare struct {
	Level        string   `json:"level,omitempty"`
	Network      string   `json:"network,omitempty"`
	ServiceTypes []string `json:"serviceTypes,omitempty"`
	Procedure    string   `json:"procedure,omitempty"`
	Amount       *Cents   `json:"amountCents,omitempty"`
	Percent      *float64 `json:"percent,omitempty"`
	Period       string   `json:"period,omitempty"`
}

// Benefit is one EB line with what followed it in its 2110 loop. Codes are raw;
// the *Name fields are empty for codes not in our tables.
type Benefit struct {
	Loop              string     `json:"loop"` // 2110C or 2110D
	Code              string     `json:"code"` // EB01
	CodeName          string     `json:"codeName,omitempty"`
	CoverageLevel     string     `json:"coverageLevel,omitempty"`
	ServiceTypes      []string   `json:"serviceTypes,omitempty"`
	InsuranceType     string     `json:"insuranceType,omitempty"`
	PlanName          string     `json:"planName,omitempty"`
	TimePeriod        string     `json:"timePeriod,omitempty"`
	TimePeriodName    string     `json:"timePeriodName,omitempty"`
	Amount            *Cents     `json:"amountCents,omitempty"`
	Percent           *float64   `json:"percent,omitempty"`
	QuantityQualifier string     `json:"quantityQualifier,omitempty"`
	Quantity          string     `json:"quantity,omitempty"`
	AuthRequired      string     `json:"authRequired,omitempty"` // EB11: Y, N, U
	Network           string     `json:"network,omitempty"`      // EB12: Y, N, W, U
	NetworkName       string     `json:"networkName,omitempty"`
	Procedure         string     `json:"procedure,omitempty"` // EB13, e.g. "HC:15275"
	Dates             []DateInfo `json:"dates,omitempty"`
	Messages          []string   `json:"messages,omitempty"`
	Entities          []Entity   `json:"entities,omitempty"` // loop 2120
	Raw               string     `json:"raw"`                // the EB segment verbatim
	// Problems lists elements that could not be read (e.g. a malformed amount);
	// the raw text keeps their value.
	Problems []string `json:"problems,omitempty"`
}

// OtherPayer is an EB01 "R" line: another or additional payer, such as the
// Medicare Advantage plan that answers instead of Medicare, with its loop-2120
// entities.
type OtherPayer struct {
	InsuranceType     string     `json:"insuranceType,omitempty"`
	InsuranceTypeName string     `json:"insuranceTypeName,omitempty"`
	PlanName          string     `json:"planName,omitempty"`
	ServiceTypes      []string   `json:"serviceTypes,omitempty"`
	Entities          []Entity   `json:"entities,omitempty"`
	Dates             []DateInfo `json:"dates,omitempty"`
	Messages          []string   `json:"messages,omitempty"`
}

// Rejection is an AAA segment, kept verbatim, with a plain-language explanation
// and the party that must act.
type Rejection struct {
	Loop         string `json:"loop"`  // 2000A, 2100A, 2100B, 2000C, 2100C, 2110C, 2000D, …
	Valid        string `json:"valid"` // AAA01: N not valid, Y valid
	Reason       string `json:"reason"`
	FollowUp     string `json:"followUp"`
	Segment      string `json:"segment"` // the AAA segment verbatim
	Explanation  string `json:"explanation"`
	FollowUpText string `json:"followUpText,omitempty"`
	Actor        Actor  `json:"actor"`
}
