package eligibility

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/openivr/ivr/x12"
)

type coverageEligibilityResponse struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Contained    []json.RawMessage `json:"contained,omitempty"`
	Status       string            `json:"status"`
	Purpose      []string          `json:"purpose"`
	Patient      fhirReference     `json:"patient"`
	ServicedDate string            `json:"servicedDate,omitempty"`
	Created      string            `json:"created"`
	Request      fhirReference     `json:"request"`
	Outcome      string            `json:"outcome"`
	Disposition  string            `json:"disposition,omitempty"`
	Insurer      fhirReference     `json:"insurer"`
	Requestor    *fhirReference    `json:"requestor,omitempty"`
	Insurance    []fhirInsurance   `json:"insurance,omitempty"`
	Error        []fhirError       `json:"error,omitempty"`
}

type fhirInsurance struct {
	Coverage      fhirReference `json:"coverage"`
	Inforce       bool          `json:"inforce"`
	BenefitPeriod *fhirPeriod   `json:"benefitPeriod,omitempty"`
	Item          []fhirItem    `json:"item,omitempty"`
}

type fhirItem struct {
	Category              *fhirCodeableConcept `json:"category,omitempty"`
	ProductOrService      *fhirCodeableConcept `json:"productOrService,omitempty"`
	Name                  string               `json:"name,omitempty"`
	Description           string               `json:"description,omitempty"`
	Network               *fhirCodeableConcept `json:"network,omitempty"`
	Unit                  *fhirCodeableConcept `json:"unit,omitempty"`
	Term                  *fhirCodeableConcept `json:"term,omitempty"`
	Benefit               []fhirBenefit        `json:"benefit,omitempty"`
	AuthorizationRequired *bool                `json:"authorizationRequired,omitempty"`
}

type fhirBenefit struct {
	Type               fhirCodeableConcept `json:"type"`
	AllowedMoney       *fhirMoney          `json:"allowedMoney,omitempty"`
	AllowedUnsignedInt *int                `json:"allowedUnsignedInt,omitempty"`
	AllowedString      string              `json:"allowedString,omitempty"`
	UsedMoney          *fhirMoney          `json:"usedMoney,omitempty"`
}

type fhirError struct {
	Code fhirCodeableConcept `json:"code"`
}

// BuildCoverageEligibilityResponse returns the FHIR R4 CoverageEligibilityResponse
// for a checked request: status active, the request's purposes, patient, created,
// request, insurer and outcome (complete; partial when the payer answered with
// both benefits and rejections; error when it rejected the inquiry or the check
// failed), the focal coverage with its plans' benefits, a separate coverage entry
// per other payer, and one error per AAA rejection.
func BuildCoverageEligibilityResponse(fi FHIRInquiry, res Result, id string,
	created time.Time) ([]byte, error) {
	if fi.PatientRef == "" || fi.InsurerRef == "" {
		return nil, fmt.Errorf("fhir response: the request's patient and insurer are required")
	}
	out := coverageEligibilityResponse{
		ResourceType: "CoverageEligibilityResponse", ID: id, Status: "active",
		Purpose: fi.Purpose, Patient: fhirReference{Reference: fi.PatientRef},
		Created: created.UTC().Format(time.RFC3339), Request: requestReference(fi),
		Insurer: fhirReference{Reference: fi.InsurerRef},
	}
	if len(out.Purpose) == 0 {
		out.Purpose = []string{"benefits"}
	}
	if !fi.Inquiry.DateOfService.IsZero() {
		out.ServicedDate = fi.Inquiry.DateOfService.Format("2006-01-02")
	}
	if fi.ProviderRef != "" {
		out.Requestor = &fhirReference{Reference: fi.ProviderRef}
	}
	// Every contained resource the request used is referenced from the response or
	// from another of them (the coverage's subscriber), so all are carried over.
	for _, ref := range slices.Sorted(maps.Keys(fi.contained)) {
		out.Contained = append(out.Contained, fi.contained[ref])
	}
	out.Outcome, out.Disposition = outcomeOf(res)
	if res.Summary != nil {
		out.Insurance = insuranceOf(fi.CoverageRef, res.Summary)
		for _, r := range res.Summary.Rejections {
			out.Error = append(out.Error, errorOf(r))
		}
	}
	return json.MarshalIndent(out, "", "  ")
}

func requestReference(fi FHIRInquiry) fhirReference {
	if fi.RequestID == "" {
		return fhirReference{Display: "CoverageEligibilityRequest without id"}
	}
	return fhirReference{Reference: "CoverageEligibilityRequest/" + fi.RequestID}
}

// outcomeOf returns the FHIR outcome and a disposition safe to show.
func outcomeOf(res Result) (string, string) {
	if res.Status != StatusOK || res.Summary == nil {
		return "error", "Eligibility check failed: " + res.Reason
	}
	s := res.Summary
	switch {
	case len(s.Rejections) > 0 && len(s.Plans) == 0:
		return "error", "The payer rejected the inquiry."
	case len(s.Rejections) > 0:
		return "partial", "The payer answered in part and rejected part of the inquiry."
	case s.Active:
		return "complete", "Coverage is active."
	}
	return "complete", "Coverage is not active."
}

// insuranceOf returns the focal coverage with every plan's items, then one entry
// per other payer.
func insuranceOf(coverageRef string, s *x12.Response271) []fhirInsurance {
	focal := fhirInsurance{Coverage: fhirReference{Reference: coverageRef}, Inforce: s.Active}
	focal.BenefitPeriod = periodOf(s.Dates)
	for _, p := range s.Plans {
		if focal.BenefitPeriod == nil {
			focal.BenefitPeriod = periodOf(p.Dates)
		}
		focal.Item = append(focal.Item, itemsOf(p)...)
	}
	out := []fhirInsurance{focal}
	for _, op := range s.OtherPayers {
		ref := fhirReference{Display: firstNonEmpty(op.PlanName, op.InsuranceTypeName)}
		if len(op.Entities) > 0 && op.Entities[0].ID != "" {
			e := op.Entities[0]
			ref.Identifier = &fhirIdentifier{Value: e.ID}
			ref.Display = firstNonEmpty(op.PlanName, e.Name)
		}
		out = append(out, fhirInsurance{Coverage: ref, Inforce: true,
			Item: []fhirItem{{Category: serviceTypes(op.ServiceTypes), Name: op.InsuranceTypeName,
				Description: "Another payer covers this patient; it decides coverage."}}})
	}
	return out
}

// periodOf reads a benefit period from plan begin/end or eligibility dates.
func periodOf(dates []x12.DateInfo) *fhirPeriod {
	var p fhirPeriod
	for _, d := range dates {
		switch d.Qualifier {
		case "346", "356":
			p.Start = firstNonEmpty(p.Start, d.From)
		case "347", "357":
			p.End = firstNonEmpty(p.End, d.From)
		case "291", "292", "307":
			p.Start, p.End = firstNonEmpty(p.Start, d.From), firstNonEmpty(p.End, d.To)
		}
	}
	if p.Start == "" && p.End == "" {
		return nil
	}
	return &p
}

// itemsOf maps a plan's deductibles, out-of-pocket limits, cost shares and prior
// authorization subjects to items.
func itemsOf(p x12.Plan) []fhirItem {
	var items []fhirItem
	for _, a := range p.Deductibles {
		items = append(items, accumulatorItem(p, a, SystemBenefitType, "deductible"))
	}
	for _, a := range p.OutOfPocket {
		items = append(items, accumulatorItem(p, a, SystemLocalBenefitType, "out-of-pocket"))
	}
	for _, c := range p.Copays {
		items = append(items, costShareItem(p, c, "copay"))
	}
	for _, c := range p.Coinsurance {
		items = append(items, costShareItem(p, c, "copay-percent"))
	}
	yes := true
	for _, subject := range p.PriorAuth {
		it := fhirItem{Name: p.Name, AuthorizationRequired: &yes}
		if code, ok := strings.CutPrefix(subject, "HC:"); ok {
			it.ProductOrService = coded(SystemHCPCS, code)
		} else {
			it.Category = serviceTypes([]string{subject})
		}
		items = append(items, it)
	}
	return items
}

func accumulatorItem(p x12.Plan, a x12.Accumulator, system, code string) fhirItem {
	b := fhirBenefit{Type: *coded(system, code)}
	switch {
	case a.Total != nil:
		b.AllowedMoney = money(*a.Total)
	case a.Remaining != nil:
		b.AllowedString = "remaining " + a.Remaining.String() + " USD"
	}
	if a.Met != nil {
		b.UsedMoney = money(*a.Met)
	}
	return fhirItem{Category: serviceTypes(a.ServiceTypes), Name: p.Name,
		Network: network(a.Network), Unit: unit(a.Level), Term: term(a.Period),
		Benefit: []fhirBenefit{b}}
}

func costShareItem(p x12.Plan, c x12.CostShare, code string) fhirItem {
	b := fhirBenefit{Type: *coded(SystemBenefitType, code)}
	if c.Amount != nil {
		b.AllowedMoney = money(*c.Amount)
	}
	if c.Percent != nil {
		pct := int(*c.Percent + 0.5)
		b.AllowedUnsignedInt = &pct
	}
	it := fhirItem{Category: serviceTypes(c.ServiceTypes), Name: p.Name,
		Network: network(c.Network), Unit: unit(c.Level), Benefit: []fhirBenefit{b}}
	if code, ok := strings.CutPrefix(c.Procedure, "HC:"); ok {
		it.ProductOrService = coded(SystemHCPCS, code)
	}
	return it
}

func money(c x12.Cents) *fhirMoney {
	return &fhirMoney{Value: json.Number(c.String()), Currency: "USD"}
}

func serviceTypes(codes []string) *fhirCodeableConcept {
	if len(codes) == 0 {
		return nil
	}
	cc := &fhirCodeableConcept{}
	for _, c := range codes {
		cc.Coding = append(cc.Coding, fhirCoding{System: SystemServiceType, Code: c})
	}
	return cc
}

func coded(system, code string) *fhirCodeableConcept {
	if code == "" {
		return nil
	}
	return &fhirCodeableConcept{Coding: []fhirCoding{{System: system, Code: code}}}
}

func network(eb12 string) *fhirCodeableConcept {
	return coded(SystemNetwork, map[string]string{"Y": "in", "N": "out"}[eb12])
}

func unit(eb02 string) *fhirCodeableConcept {
	return coded(SystemUnit, map[string]string{"IND": "individual", "FAM": "family"}[eb02])
}

func term(eb06 string) *fhirCodeableConcept {
	return coded(SystemTerm, map[string]string{"22": "annual", "23": "annual",
		"32": "lifetime", "33": "lifetime", "7": "day"}[eb06])
}

// errorOf maps an AAA rejection to a FHIR error: the X12 reason code, our
// explanation, who must act and the follow-up.
func errorOf(r x12.Rejection) fhirError {
	text := fmt.Sprintf("%s (loop %s; to act: %s)", r.Explanation, r.Loop, r.Actor)
	if r.FollowUpText != "" {
		text += " Follow-up: " + r.FollowUpText + "."
	}
	return fhirError{Code: fhirCodeableConcept{
		Coding: []fhirCoding{{System: SystemRejectReason, Code: r.Reason, Display: r.Explanation}},
		Text:   text}}
}
