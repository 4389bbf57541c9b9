package x12

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// BenefitFromSegment reads an EB segment found in loop (2110C or 2110D).
// Malformed amounts and percents are noted in Problems and kept in Raw; codes not
// in our tables keep their raw value with an empty name.
func BenefitFromSegment(s Segment, loop string) Benefit {
	b := Benefit{
		Loop: loop, Code: s.Element(1), CodeName: benefitInfoNames[s.Element(1)],
		CoverageLevel: s.Element(2), ServiceTypes: s.Repetitions(3),
		InsuranceType: s.Element(4), PlanName: s.Element(5),
		TimePeriod: s.Element(6), TimePeriodName: timePeriodNames[s.Element(6)],
		QuantityQualifier: s.Element(9), Quantity: s.Element(10),
		AuthRequired: s.Element(11), Network: s.Element(12),
		NetworkName: networkNames[s.Element(12)],
		Raw:         s.Raw(),
	}
	if s.Element(13) != "" {
		b.Procedure = strings.Join(s.Components(13), ":")
	}
	if v := s.Element(7); v != "" {
		if c, err := ParseCents(v); err == nil {
			b.Amount = &c
		} else {
			b.Problems = append(b.Problems, "EB07: not a decimal amount")
		}
	}
	if v := s.Element(8); v != "" {
		if pct, ok := parsePercent(v); ok {
			b.Percent = &pct
		} else {
			b.Problems = append(b.Problems, "EB08: not a fraction between 0 and 1")
		}
	}
	return b
}

// parsePercent turns an EB08 decimal fraction (".2") into a percent (20).
func parsePercent(v string) (float64, bool) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 || strings.ContainsAny(v, "eEnN+xX_") {
		return 0, false
	}
	return math.Round(f*100*10000) / 10000, true
}

// isCoverageStatus reports whether EB01 states active (1–5) or inactive (6–8)
// coverage.
func isCoverageStatus(code string) bool {
	return len(code) == 1 && code[0] >= '1' && code[0] <= '8'
}

// AddBenefits sorts a patient's benefit lines into r's plans and other payers and
// derives each plan's summary. A coverage line (EB01 1–8) names a plan by insurance
// type and plan name; a later line that names neither belongs to the plan before
// it. Call it once per response, with all its lines in order.
func (r *Response271) AddBenefits(benefits []Benefit) {
	owner := make([]int, len(benefits)) // plan index per line; -1 for other payers
	current := -1
	for i, b := range benefits {
		owner[i] = -1
		if b.Code == "R" {
			r.OtherPayers = append(r.OtherPayers, otherPayerFrom(b))
			continue
		}
		status := isCoverageStatus(b.Code)
		switch {
		case status || b.InsuranceType != "" || b.PlanName != "":
			current = findPlan(r, b.InsuranceType, b.PlanName, status)
		case current < 0:
			current = findPlan(r, "", "", false)
		}
		if p := &r.Plans[current]; status && p.Status == "" {
			p.Status, p.StatusName, p.Active = b.Code, b.CodeName, b.Code <= "5"
		}
		owner[i] = current
	}
	r.fileBenefits(benefits, owner)
	for i := range r.Plans {
		summarize(&r.Plans[i])
		r.Active = r.Active || r.Plans[i].Active
	}
}

// fileBenefits copies each line into its plan, sizing each list once.
func (r *Response271) fileBenefits(benefits []Benefit, owner []int) {
	counts := make([]int, len(r.Plans))
	for _, o := range owner {
		if o >= 0 {
			counts[o]++
		}
	}
	for i := range r.Plans {
		r.Plans[i].Benefits = slices.Grow(r.Plans[i].Benefits, counts[i])
	}
	for i, o := range owner {
		if o >= 0 {
			r.Plans[o].Benefits = append(r.Plans[o].Benefits, benefits[i])
		}
	}
}

// Limits that keep grouping linear on hostile input; real 271s stay far below.
const (
	maxPlans        = 100
	maxAccumulators = 100
)

// findPlan returns the index of the plan with the given insurance type and name,
// creating it if needed. An empty type or name on the line matches the plan's. Only a coverage
// line (adopt) names the plan: on other lines EB05 describes the benefit.
func findPlan(r *Response271, insType, name string, adopt bool) int {
	if !adopt {
		name = ""
	}
	for i := range r.Plans {
		p := &r.Plans[i]
		if (insType == "" || p.InsuranceType == insType || p.InsuranceType == "") &&
			(name == "" || p.Name == name || p.Name == "") {
			if p.InsuranceType == "" && insType != "" {
				p.InsuranceType, p.InsuranceTypeName = insType, insuranceTypeNames[insType]
			}
			if p.Name == "" {
				p.Name = name
			}
			return i
		}
	}
	if len(r.Plans) >= maxPlans {
		return len(r.Plans) - 1 // the line is still listed under the last plan
	}
	r.Plans = append(r.Plans, Plan{InsuranceType: insType,
		InsuranceTypeName: insuranceTypeNames[insType], Name: name})
	return len(r.Plans) - 1
}

func otherPayerFrom(b Benefit) OtherPayer {
	return OtherPayer{InsuranceType: b.InsuranceType,
		InsuranceTypeName: insuranceTypeNames[b.InsuranceType], PlanName: b.PlanName,
		ServiceTypes: b.ServiceTypes, Entities: b.Entities, Dates: b.Dates, Messages: b.Messages}
}

// summarize derives a plan's deductibles, out-of-pocket limits, cost shares, prior
// authorization flag, dates and messages from its benefit lines.
func summarize(p *Plan) {
	for _, b := range p.Benefits {
		switch b.Code {
		case "C":
			p.Deductibles = addToAccumulator(p.Deductibles, b)
		case "G":
			p.OutOfPocket = addToAccumulator(p.OutOfPocket, b)
		case "B":
			p.Copays = append(p.Copays, costShareFrom(b))
		case "A":
			p.Coinsurance = append(p.Coinsurance, costShareFrom(b))
		}
		if b.AuthRequired == "Y" {
			p.PriorAuthRequired = true
			p.PriorAuth = append(p.PriorAuth, authSubject(b)...)
		}
		if isCoverageStatus(b.Code) {
			p.Dates = append(p.Dates, b.Dates...)
		}
		p.Messages = append(p.Messages, b.Messages...)
	}
	for _, list := range [][]Accumulator{p.Deductibles, p.OutOfPocket} {
		for i := range list {
			list[i].derive()
		}
	}
}

func authSubject(b Benefit) []string {
	if b.Procedure != "" {
		return []string{b.Procedure}
	}
	return b.ServiceTypes
}

func costShareFrom(b Benefit) CostShare {
	return CostShare{Level: b.CoverageLevel, Network: b.Network, ServiceTypes: b.ServiceTypes,
		Procedure: b.Procedure, Amount: b.Amount, Percent: b.Percent, Period: b.TimePeriod}
}

// addToAccumulator files an amount under its level, network and service types,
// reading EB06 to tell the period's total from what is met and what remains.
func addToAccumulator(list []Accumulator, b Benefit) []Accumulator {
	if b.Amount == nil || len(list) >= maxAccumulators {
		return list // beyond the limit the line stays in Benefits only
	}
	key := strings.Join(b.ServiceTypes, "^")
	i := 0
	for ; i < len(list); i++ {
		a := list[i]
		sameTypes := strings.Join(a.ServiceTypes, "^") == key
		if a.Level == b.CoverageLevel && a.Network == b.Network && sameTypes {
			break
		}
	}
	if i == len(list) {
		list = append(list, Accumulator{Level: b.CoverageLevel, Network: b.Network,
			ServiceTypes: b.ServiceTypes})
	}
	a := &list[i]
	amount := *b.Amount
	switch b.TimePeriod {
	case "29", "33": // remaining, lifetime remaining
		a.Remaining = &amount
	case "24": // year to date: what has been met
		a.Met = &amount
	case "30", "31": // exceeded / not exceeded: a state, not an amount to file
	default:
		a.Total, a.Period = &amount, b.TimePeriod
	}
	return list
}

// derive fills in met or remaining when the other two amounts are known.
func (a *Accumulator) derive() {
	switch {
	case a.Total != nil && a.Remaining != nil && a.Met == nil:
		met := max(*a.Total-*a.Remaining, 0)
		a.Met = &met
	case a.Total != nil && a.Met != nil && a.Remaining == nil:
		rem := max(*a.Total-*a.Met, 0)
		a.Remaining = &rem
	}
}
