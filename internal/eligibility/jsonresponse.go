package eligibility

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/openivr/ivr/x12"
)

// jsonResponse is the part of the common JSON eligibility answer we read.
type jsonResponse struct {
	ControlNumber           string `json:"controlNumber"`
	TradingPartnerServiceID string `json:"tradingPartnerServiceId"`
	Payer                   struct {
		Name string `json:"name"`
	} `json:"payer"`
	Provider struct {
		ProviderName string `json:"providerName"`
		NPI          string `json:"npi"`
	} `json:"provider"`
	Subscriber          JSONPerson        `json:"subscriber"`
	Dependents          []JSONPerson      `json:"dependents"`
	PlanDateInformation map[string]string `json:"planDateInformation"`
	PlanStatus          []struct {
		StatusCode       string   `json:"statusCode"`
		PlanDetails      string   `json:"planDetails"`
		ServiceTypeCodes []string `json:"serviceTypeCodes"`
	} `json:"planStatus"`
	BenefitsInformation []json.RawMessage `json:"benefitsInformation"`
	Errors              []json.RawMessage `json:"errors"`
}

// jsonBenefit is one benefitsInformation entry.
type jsonBenefit struct {
	Code                       string   `json:"code"`
	Name                       string   `json:"name"`
	ServiceTypeCodes           []string `json:"serviceTypeCodes"`
	CoverageLevelCode          string   `json:"coverageLevelCode"`
	InsuranceTypeCode          string   `json:"insuranceTypeCode"`
	PlanCoverage               string   `json:"planCoverage"`
	TimeQualifierCode          string   `json:"timeQualifierCode"`
	BenefitAmount              string   `json:"benefitAmount"`
	BenefitPercent             string   `json:"benefitPercent"`
	QuantityQualifierCode      string   `json:"quantityQualifierCode"`
	BenefitQuantity            string   `json:"benefitQuantity"`
	AuthOrCertIndicator        string   `json:"authOrCertIndicator"`
	InPlanNetworkIndicatorCode string   `json:"inPlanNetworkIndicatorCode"`
	CompositeMedicalProcedure  *struct {
		ProductOrServiceIDQualifierCode string `json:"productOrServiceIdQualifierCode"`
		ProcedureCode                   string `json:"procedureCode"`
	} `json:"compositeMedicalProcedureIdentifier"`
	AdditionalInformation []struct {
		Description string `json:"description"`
	} `json:"additionalInformation"`
	BenefitsDateInformation map[string]string `json:"benefitsDateInformation"`
	BenefitsRelatedEntities []struct {
		EntityIdentifier          string `json:"entityIdentifier"`
		EntityName                string `json:"entityName"`
		EntityIdentification      string `json:"entityIdentification"`
		EntityIdentificationValue string `json:"entityIdentificationValue"`
	} `json:"benefitsRelatedEntities"`
}

// jsonError is one errors entry.
type jsonError struct {
	Field          string `json:"field"`
	Code           string `json:"code"`
	Description    string `json:"description"`
	FollowupAction string `json:"followupAction"`
	Location       string `json:"location"`
}

// jsonDateQualifiers maps date keys of the JSON shape to DTP qualifiers.
var jsonDateQualifiers = map[string]string{
	"plan": "291", "planBegin": "346", "planEnd": "347", "eligibility": "307",
	"eligibilityBegin": "356", "eligibilityEnd": "357", "service": "472", "benefit": "292",
	"coordinationOfBenefits": "290",
}

// ParseJSONResponse maps a JSON eligibility answer onto a 271 summary. Each
// benefit keeps its JSON text as Raw, each rejection its JSON text as Segment.
// It returns an error naming the entry that is malformed.
func ParseJSONResponse(data []byte) (x12.Response271, error) {
	var in jsonResponse
	if err := json.Unmarshal(data, &in); err != nil {
		return x12.Response271{}, fmt.Errorf("json response: %w", err)
	}
	r := x12.Response271{
		ControlNumber: in.ControlNumber, Reference: in.ControlNumber,
		Traces: []x12.Trace{{Type: "2", Number: in.ControlNumber}},
		Payer: x12.Entity{Code: "PR", Name: in.Payer.Name, IDQualifier: "PI",
			ID: in.TradingPartnerServiceID},
		Provider: x12.Entity{Code: "1P", Name: in.Provider.ProviderName, IDQualifier: "XX",
			ID: in.Provider.NPI},
		Subscriber: memberFromJSON(in.Subscriber),
		Dates:      datesFromJSON(in.PlanDateInformation),
	}
	loop := "2110C"
	if len(in.Dependents) > 0 {
		dep := memberFromJSON(in.Dependents[0])
		r.Dependent, loop = &dep, "2110D"
	}
	benefits, err := benefitsFromJSON(in, loop)
	if err != nil {
		return x12.Response271{}, err
	}
	r.AddBenefits(benefits)
	for i, raw := range in.Errors {
		var e jsonError
		if err := json.Unmarshal(raw, &e); err != nil {
			return x12.Response271{}, fmt.Errorf("json response errors[%d]: %w", i, err)
		}
		loop, followUp := loopFromLocation(e.Location), x12.FollowUpCode(e.FollowupAction)
		rej := x12.ExplainRejection(loop, "N", e.Code, followUp)
		if rej.FollowUpText == "" {
			rej.FollowUpText = e.FollowupAction
		}
		rej.Segment = string(raw)
		r.Rejections = append(r.Rejections, rej)
	}
	return r, nil
}

func memberFromJSON(p JSONPerson) x12.Member {
	m := x12.Member{MemberID: p.MemberID, FirstName: p.FirstName, LastName: p.LastName,
		Sex: p.Gender}
	if len(p.DateOfBirth) == 8 {
		m.BirthDate = p.DateOfBirth[:4] + "-" + p.DateOfBirth[4:6] + "-" + p.DateOfBirth[6:]
	}
	return m
}

// benefitsFromJSON turns benefitsInformation into benefit lines, adding a coverage
// line from planStatus when the benefits carry none.
func benefitsFromJSON(in jsonResponse, loop string) ([]x12.Benefit, error) {
	var out []x12.Benefit
	hasStatus := false
	for i, raw := range in.BenefitsInformation {
		var jb jsonBenefit
		if err := json.Unmarshal(raw, &jb); err != nil {
			return nil, fmt.Errorf("json response benefitsInformation[%d]: %w", i, err)
		}
		b := x12.BenefitFromSegment(jb.segment(), loop)
		b.Raw = string(raw)
		b.Dates = datesFromJSON(jb.BenefitsDateInformation)
		for _, a := range jb.AdditionalInformation {
			b.Messages = append(b.Messages, a.Description)
		}
		for _, e := range jb.BenefitsRelatedEntities {
			b.Entities = append(b.Entities, x12.Entity{Code: e.EntityIdentifier, Name: e.EntityName,
				IDQualifier: e.EntityIdentification, ID: e.EntityIdentificationValue})
		}
		hasStatus = hasStatus || (len(b.Code) == 1 && b.Code >= "1" && b.Code <= "8")
		out = append(out, b)
	}
	if hasStatus {
		return out, nil
	}
	var status []x12.Benefit
	for _, ps := range in.PlanStatus {
		types := x12.Repeat(ps.ServiceTypeCodes...)
		seg := x12.NewSegment("EB", ps.StatusCode, "", types, "", ps.PlanDetails)
		status = append(status, x12.BenefitFromSegment(seg, loop))
	}
	return append(status, out...), nil
}

// segment writes the entry as the EB segment it stands for.
func (jb jsonBenefit) segment() x12.Segment {
	procedure := ""
	if p := jb.CompositeMedicalProcedure; p != nil && p.ProcedureCode != "" {
		procedure = x12.Composite(p.ProductOrServiceIDQualifierCode, p.ProcedureCode)
	}
	return x12.NewSegment("EB", jb.Code, jb.CoverageLevelCode, x12.Repeat(jb.ServiceTypeCodes...),
		jb.InsuranceTypeCode, jb.PlanCoverage, jb.TimeQualifierCode, jb.BenefitAmount,
		jb.BenefitPercent, jb.QuantityQualifierCode, jb.BenefitQuantity, jb.AuthOrCertIndicator,
		jb.InPlanNetworkIndicatorCode, procedure)
}

// datesFromJSON maps {"planBegin": "20250101", "plan": "20250101-20251231"} to
// dates, in qualifier order so the result is stable.
func datesFromJSON(m map[string]string) []x12.DateInfo {
	var out []x12.DateInfo
	for _, key := range sortedKeys(m) {
		d := x12.DateInfo{Qualifier: jsonDateQualifiers[key], Meaning: key}
		from, to, isRange := strings.Cut(m[key], "-")
		d.From = isoDate(from)
		if isRange {
			d.To = isoDate(to)
		}
		if d.From == "" {
			d.From, d.To, d.Raw = "", "", m[key]
		}
		out = append(out, d)
	}
	return out
}

func isoDate(v string) string {
	if len(v) != 8 {
		return ""
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return v[:4] + "-" + v[4:6] + "-" + v[6:]
}

// loopFromLocation reads "Loop 2100C" (any case, with or without the word).
func loopFromLocation(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "loop"))
	return strings.ToUpper(s)
}
