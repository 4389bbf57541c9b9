package eligibility

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openivr/ivr/x12"
)

// The code systems and identifier systems the FHIR mapping uses.
const (
	SystemNPI          = "http://hl7.org/fhir/sid/us-npi"
	SystemServiceType  = "https://codesystem.x12.org/005010/1365" // X12 service type codes
	SystemRejectReason = "https://codesystem.x12.org/005010/901"  // AAA03 reject reasons
	SystemBenefitType  = "http://terminology.hl7.org/CodeSystem/benefit-type"
	SystemNetwork      = "http://terminology.hl7.org/CodeSystem/benefit-network"
	SystemUnit         = "http://terminology.hl7.org/CodeSystem/benefit-unit"
	SystemTerm         = "http://terminology.hl7.org/CodeSystem/benefit-term"
	SystemHCPCS        = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
	// SystemLocalBenefitType holds benefit types HL7's list lacks (out-of-pocket).
	SystemLocalBenefitType = "urn:openivr:benefit-type"
)

// Resolver returns the JSON of a resource a request references by
// "Type/id" (or an absolute URL), for references not contained in the request.
type Resolver func(ctx context.Context, reference string) (json.RawMessage, error)

// FHIRInquiry is a CoverageEligibilityRequest mapped to an Inquiry, with what the
// response must point back to. It holds PHI: String and Format redact it.
type FHIRInquiry struct {
	Inquiry     Inquiry
	RequestID   string
	Purpose     []string
	PatientRef  string
	InsurerRef  string
	CoverageRef string
	ProviderRef string
	// contained keeps the request's contained resources that the response refers to.
	contained map[string]json.RawMessage
}

// String returns a placeholder.
func (FHIRInquiry) String() string { return "eligibility.FHIRInquiry{REDACTED}" }

// Format prints the placeholder for every verb.
func (f FHIRInquiry) Format(s fmt.State, _ rune) { fmt.Fprint(s, f.String()) }

// ParseCoverageEligibilityRequest maps a FHIR R4 CoverageEligibilityRequest onto an
// Inquiry. Patient, Coverage, insurer and provider may be contained ("#id") or
// referenced, in which case resolve fetches them (resolve may be nil when all are
// contained). It returns an *OperationOutcome naming every bad element.
func ParseCoverageEligibilityRequest(ctx context.Context, data []byte,
	resolve Resolver) (FHIRInquiry, error) {
	var req coverageEligibilityRequest
	if err := json.Unmarshal(data, &req); err != nil {
		oo := &OperationOutcome{}
		oo.add("structure", "CoverageEligibilityRequest",
			"the body is not valid JSON for this resource")
		return FHIRInquiry{}, oo.err()
	}
	m := requestMapper{ctx: ctx, req: req, resolve: resolve, oo: &OperationOutcome{},
		out: FHIRInquiry{RequestID: req.ID, Purpose: req.Purpose,
			contained: map[string]json.RawMessage{}}}
	m.header()
	m.patientAndCoverage()
	m.insurer()
	m.provider()
	m.items()
	if len(m.oo.Issue) == 0 {
		if err := m.out.Inquiry.Validate(); err != nil {
			m.oo.add("value", fhirPathFor(err, m.out.Inquiry.Dependent != nil), fieldOf(err))
		}
	}
	if err := m.oo.err(); err != nil {
		return FHIRInquiry{}, err
	}
	return m.out, nil
}

// fhirPaths maps an Inquiry field, as validation names it, to the request element
// it came from.
var fhirPaths = map[string]string{
	"payerId": "insurer.identifier", "payerName": "insurer.name",
	"providerName": "provider.name", "providerNpi": "provider.identifier",
	"dateOfService": "serviced[x]", "serviceTypes": "item.category",
	"procedureCode":       "item.productOrService",
	"subscriber.memberId": "insurance.coverage.subscriberId",
}

// fhirPathFor names the request element behind a validation error. The patient is
// the dependent when there is one, else the subscriber.
func fhirPathFor(err error, hasDependent bool) string {
	field, _, _ := strings.Cut(fieldOf(err), ":")
	if p, ok := fhirPaths[field]; ok {
		return "CoverageEligibilityRequest." + p
	}
	role, attr, _ := strings.Cut(field, ".")
	attr = map[string]string{"lastName": "name.family", "firstName": "name.given",
		"middleName": "name.given", "sex": "gender", "memberId": "identifier"}[attr]
	if role == "dependent" || !hasDependent {
		return "CoverageEligibilityRequest.patient." + attr
	}
	return "CoverageEligibilityRequest.insurance.coverage.subscriber." + attr
}

type requestMapper struct {
	ctx     context.Context
	req     coverageEligibilityRequest
	resolve Resolver
	oo      *OperationOutcome
	out     FHIRInquiry
}

func (m *requestMapper) header() {
	r := m.req
	if r.ResourceType != "CoverageEligibilityRequest" {
		m.oo.add("invalid", "CoverageEligibilityRequest.resourceType",
			"must be CoverageEligibilityRequest")
	}
	if r.Status != "active" {
		m.oo.add("value", "CoverageEligibilityRequest.status", "must be active")
	}
	for i, p := range r.Purpose {
		switch p {
		case "benefits", "validation", "auth-requirements", "discovery":
		default:
			m.oo.add("code-invalid", fmt.Sprintf("CoverageEligibilityRequest.purpose[%d]", i),
				"must be benefits, validation, auth-requirements or discovery")
		}
	}
	if len(r.Purpose) == 0 {
		m.oo.add("required", "CoverageEligibilityRequest.purpose",
			"at least one purpose is required")
	}
	served := r.ServicedDate
	if served == "" && r.ServicedPeriod != nil {
		served = r.ServicedPeriod.Start
	}
	d, err := parseFHIRDate(served)
	if err != nil {
		m.oo.add("required", "CoverageEligibilityRequest.serviced[x]",
			"a servicedDate or servicedPeriod.start (YYYY-MM-DD) is required: the date of service")
	}
	m.out.Inquiry.DateOfService = d
}

// fetch returns the resource a reference points to: contained or resolved.
func (m *requestMapper) fetch(ref *fhirReference, path string,
	types ...string) (fhirResource, bool) {
	want := strings.Join(types, " or ")
	if ref == nil || ref.Reference == "" {
		m.oo.add("required", path, "a reference to a "+want+" is required")
		return fhirResource{}, false
	}
	raw, ok := m.lookup(ref.Reference, path)
	if !ok {
		return fhirResource{}, false
	}
	var res fhirResource
	if err := json.Unmarshal(raw, &res); err != nil || !slices.Contains(types, res.ResourceType) {
		m.oo.add("invalid", path, "must refer to a "+want)
		return fhirResource{}, false
	}
	return res, true
}

func (m *requestMapper) lookup(ref, path string) (json.RawMessage, bool) {
	if id, local := strings.CutPrefix(ref, "#"); local {
		for _, raw := range m.req.Contained {
			var head fhirResource
			if json.Unmarshal(raw, &head) == nil && head.ID == id {
				m.out.contained[ref] = raw
				return raw, true
			}
		}
		m.oo.add("not-found", path, "the contained resource it names is missing")
		return nil, false
	}
	if m.resolve == nil {
		m.oo.add("not-supported", path, "only contained resources can be read here")
		return nil, false
	}
	raw, err := m.resolve(m.ctx, ref)
	if err != nil {
		m.oo.add("not-found", path, "the referenced resource could not be read")
		return nil, false
	}
	return raw, true
}

// patientAndCoverage reads the patient and the focal coverage. The patient is the
// subscriber when the coverage relationship is self or when the coverage gives
// the patient a member number of their own (identifier type MB); otherwise the
// coverage's subscriber is the subscriber and the patient the dependent.
func (m *requestMapper) patientAndCoverage() {
	patient, pOK := m.fetch(m.req.Patient, "CoverageEligibilityRequest.patient", "Patient")
	covRef, covPath := m.focalCoverage()
	if covRef == nil {
		return
	}
	cov, cOK := m.fetch(covRef, covPath, "Coverage")
	if !pOK || !cOK {
		return
	}
	m.out.PatientRef, m.out.CoverageRef = m.req.Patient.Reference, covRef.Reference
	person := m.person(patient, "CoverageEligibilityRequest.patient")
	memberNumber := identifierOfType(cov.Identifier, "MB")
	if cov.Relationship == nil || cov.Relationship.hasCode("self") || memberNumber != "" {
		person.MemberID = firstNonEmpty(memberNumber, cov.SubscriberID)
		m.out.Inquiry.Subscriber = person
	} else {
		sub, ok := m.fetch(cov.Subscriber, covPath+".subscriber", "Patient", "RelatedPerson")
		if ok {
			m.out.Inquiry.Subscriber = m.person(sub, covPath+".subscriber")
		}
		m.out.Inquiry.Subscriber.MemberID = cov.SubscriberID
		m.out.Inquiry.Dependent = &person
	}
	if cov.SubscriberID == "" && memberNumber == "" {
		m.oo.add("required", covPath+".subscriberId", "the member id is required")
	}
}

func (m *requestMapper) focalCoverage() (*fhirReference, string) {
	ins := m.req.Insurance
	for i, in := range ins {
		if in.Focal || len(ins) == 1 {
			return in.Coverage, fmt.Sprintf("CoverageEligibilityRequest.insurance[%d].coverage", i)
		}
	}
	m.oo.add("required", "CoverageEligibilityRequest.insurance",
		"one insurance entry (or one marked focal) with a coverage is required")
	return nil, ""
}

// person reads name, birth date and gender; a missing family name or a
// malformed date is an issue at path.
func (m *requestMapper) person(r fhirResource, path string) x12.Person {
	var names []fhirHumanName
	_ = json.Unmarshal(r.Name, &names)
	var p x12.Person
	if len(names) > 0 {
		n := names[0]
		p.LastName = n.Family
		if len(n.Given) > 0 {
			p.FirstName = n.Given[0]
		}
		if len(n.Given) > 1 {
			p.MiddleName = n.Given[1]
		}
	}
	if p.LastName == "" {
		m.oo.add("required", path+".name.family", "the family name is required")
	}
	if r.BirthDate != "" {
		d, err := parseFHIRDate(r.BirthDate)
		if err != nil {
			m.oo.add("value", path+".birthDate", "must be a full date, YYYY-MM-DD")
		}
		p.BirthDate = d
	}
	p.Sex = map[string]string{"male": "M", "female": "F", "other": "U", "unknown": "U"}[r.Gender]
	return p
}

// insurer reads the payer: its name and its first identifier as our payer id.
func (m *requestMapper) insurer() {
	org, ok := m.fetch(m.req.Insurer, "CoverageEligibilityRequest.insurer", "Organization")
	if !ok {
		return
	}
	m.out.InsurerRef = m.req.Insurer.Reference
	m.out.Inquiry.PayerName = orgName(org)
	if len(org.Identifier) > 0 {
		m.out.Inquiry.PayerID = org.Identifier[0].Value
	}
	if m.out.Inquiry.PayerID == "" {
		m.oo.add("required", "CoverageEligibilityRequest.insurer.identifier",
			"the payer id is required")
	}
	if m.out.Inquiry.PayerName == "" {
		m.oo.add("required", "CoverageEligibilityRequest.insurer.name",
			"the payer name is required")
	}
}

// provider reads the requesting organization or practitioner and its NPI.
func (m *requestMapper) provider() {
	const path = "CoverageEligibilityRequest.provider"
	r, ok := m.fetch(m.req.Provider, path, "Organization", "Practitioner")
	if !ok {
		return
	}
	m.out.ProviderRef = m.req.Provider.Reference
	for _, id := range r.Identifier {
		if id.System == SystemNPI {
			m.out.Inquiry.ProviderNPI = id.Value
		}
	}
	if m.out.Inquiry.ProviderNPI == "" {
		m.oo.add("required", path+".identifier",
			"an identifier with system "+SystemNPI+" is required")
	}
	m.out.Inquiry.ProviderName = orgName(r)
	if m.out.Inquiry.ProviderName == "" {
		m.oo.add("required", path+".name", "the provider name is required")
	}
}

// items reads service types from item.category and the first procedure code from
// item.productOrService.
func (m *requestMapper) items() {
	for i, it := range m.req.Item {
		if code := it.Category.firstCode(); code != "" {
			if len(code) > 2 {
				path := fmt.Sprintf("CoverageEligibilityRequest.item[%d].category", i)
				m.oo.add("code-invalid", path, "must be an X12 service type code")
				continue
			}
			m.out.Inquiry.ServiceTypes = append(m.out.Inquiry.ServiceTypes, code)
		}
		code := it.ProductOrService.firstCode()
		if code != "" && m.out.Inquiry.ProcedureCode == "" {
			m.out.Inquiry.ProcedureCode = code
		}
	}
}

// orgName returns an Organization's name string or a Practitioner's first name
// as "given family".
func orgName(r fhirResource) string {
	var s string
	if json.Unmarshal(r.Name, &s) == nil {
		return s
	}
	var names []fhirHumanName
	if json.Unmarshal(r.Name, &names) != nil || len(names) == 0 {
		return ""
	}
	if names[0].Text != "" {
		return names[0].Text
	}
	return strings.TrimSpace(strings.Join(append(names[0].Given, names[0].Family), " "))
}

func identifierOfType(ids []fhirIdentifier, code string) string {
	for _, id := range ids {
		if id.Type.hasCode(code) {
			return id.Value
		}
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// parseFHIRDate reads a FHIR date (YYYY-MM-DD) or the date part of a dateTime.
func parseFHIRDate(s string) (time.Time, error) {
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10]
	}
	return time.Parse("2006-01-02", s)
}
