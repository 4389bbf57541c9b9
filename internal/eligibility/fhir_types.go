package eligibility

import (
	"encoding/json"
	"strings"
)

// FHIR R4 shapes, reduced to the elements the eligibility mapping reads or writes.

type fhirReference struct {
	Reference  string          `json:"reference,omitempty"`
	Display    string          `json:"display,omitempty"`
	Identifier *fhirIdentifier `json:"identifier,omitempty"`
}

type fhirIdentifier struct {
	Type   *fhirCodeableConcept `json:"type,omitempty"`
	System string               `json:"system,omitempty"`
	Value  string               `json:"value,omitempty"`
}

type fhirCoding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type fhirCodeableConcept struct {
	Coding []fhirCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

// hasCode reports whether any coding carries code.
func (c *fhirCodeableConcept) hasCode(code string) bool {
	if c == nil {
		return false
	}
	for _, cd := range c.Coding {
		if strings.EqualFold(cd.Code, code) {
			return true
		}
	}
	return false
}

func (c *fhirCodeableConcept) firstCode() string {
	if c == nil || len(c.Coding) == 0 {
		return ""
	}
	return c.Coding[0].Code
}

type fhirPeriod struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

type fhirHumanName struct {
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
	Use    string   `json:"use,omitempty"`
}

type fhirMoney struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

// fhirResource is any resource: its type and id, and the fields the mapping reads
// from Patient, RelatedPerson, Coverage, Organization and Practitioner.
type fhirResource struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id,omitempty"`
	Identifier   []fhirIdentifier `json:"identifier,omitempty"`
	// Patient, RelatedPerson, Practitioner
	Name      json.RawMessage `json:"name,omitempty"` // HumanName[] or, for Organization, a string
	BirthDate string          `json:"birthDate,omitempty"`
	Gender    string          `json:"gender,omitempty"`
	// Coverage
	SubscriberID string               `json:"subscriberId,omitempty"`
	Subscriber   *fhirReference       `json:"subscriber,omitempty"`
	Beneficiary  *fhirReference       `json:"beneficiary,omitempty"`
	Relationship *fhirCodeableConcept `json:"relationship,omitempty"`
}

// coverageEligibilityRequest is the request as read.
type coverageEligibilityRequest struct {
	ResourceType   string            `json:"resourceType"`
	ID             string            `json:"id"`
	Status         string            `json:"status"`
	Purpose        []string          `json:"purpose"`
	Patient        *fhirReference    `json:"patient"`
	ServicedDate   string            `json:"servicedDate"`
	ServicedPeriod *fhirPeriod       `json:"servicedPeriod"`
	Created        string            `json:"created"`
	Provider       *fhirReference    `json:"provider"`
	Insurer        *fhirReference    `json:"insurer"`
	Contained      []json.RawMessage `json:"contained"`
	Insurance      []struct {
		Focal    bool           `json:"focal"`
		Coverage *fhirReference `json:"coverage"`
	} `json:"insurance"`
	Item []struct {
		Category         *fhirCodeableConcept `json:"category"`
		ProductOrService *fhirCodeableConcept `json:"productOrService"`
	} `json:"item"`
}

// OperationOutcome is the FHIR error resource; the request mapping returns it as
// an error. Its diagnostics name elements, never their values.
type OperationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is one problem: severity "error", an issue-type code such as
// "required", "value", "invalid" or "not-found", and the element's FHIRPath.
type OutcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics"`
	Expression  []string `json:"expression,omitempty"`
}

// Error implements error, listing each issue's element and problem.
func (o *OperationOutcome) Error() string {
	parts := make([]string, len(o.Issue))
	for i, is := range o.Issue {
		parts[i] = strings.Join(is.Expression, ",") + ": " + is.Diagnostics
	}
	return "fhir: " + strings.Join(parts, "; ")
}

// add records an issue.
func (o *OperationOutcome) add(code, expression, diagnostics string) {
	o.Issue = append(o.Issue, OutcomeIssue{Severity: "error", Code: code,
		Diagnostics: diagnostics, Expression: []string{expression}})
}

func (o *OperationOutcome) err() error {
	if len(o.Issue) == 0 {
		return nil
	}
	o.ResourceType = "OperationOutcome"
	return o
}
