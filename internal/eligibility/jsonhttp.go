package eligibility

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/openivr/ivr/x12"
)

// JSONHTTP talks to a clearinghouse that takes the common JSON eligibility shape
// (controlNumber, tradingPartnerServiceId, provider, subscriber, encounter) and
// answers with planStatus, benefitsInformation and errors. The answer is mapped
// onto the same x12.Response271 summary as a 271.
type JSONHTTP struct {
	URL         string
	Credentials Credentials
	// Client defaults to one with a 30-second timeout.
	Client *http.Client
	Payers PayerMap
	Now    func() time.Time
}

var _ Clearinghouse = (*JSONHTTP)(nil)

// Name returns "json-http".
func (c *JSONHTTP) Name() string { return "json-http" }

// Check posts the inquiry as JSON and maps the answer. Errors are *Error, classified
// as for X12HTTP; a 400 or 422 whose body carries errors[] is an answer, not a
// failure: its errors become rejections.
func (c *JSONHTTP) Check(ctx context.Context, inq Inquiry) (Result, error) {
	payerID, err := mapPayer(c.Payers, inq.PayerID)
	if err != nil {
		return Result{}, err
	}
	now := time.Now().UTC()
	if c.Now != nil {
		now = c.Now().UTC()
	}
	body, err := json.Marshal(NewJSONRequest(inq, payerID))
	if err != nil {
		return Result{}, permanent("the inquiry cannot be encoded as JSON", err)
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	raw, err := post(ctx, client, c.URL, "application/json", c.Credentials, body)
	if err != nil && !answeredWithErrors(err, raw) {
		return Result{}, err
	}
	summary, err := ParseJSONResponse(raw)
	if err != nil {
		return Result{}, permanent("the clearinghouse answered with malformed JSON", err)
	}
	return Result{Status: StatusOK, Clearinghouse: c.Name(), PayerID: payerID,
		TraceNumber: inq.TraceNumber, CheckedAt: now, Summary: &summary,
		RawFormat: "json", RawRequest: body, RawResponse: raw}, nil
}

// answeredWithErrors reports whether a 400 or 422 body holds a JSON errors list.
func answeredWithErrors(err error, raw []byte) bool {
	var e *Error
	if !errors.As(err, &e) || e.Temporary || len(raw) == 0 {
		return false
	}
	if e.Reason != "the clearinghouse rejected the request (HTTP 400)" &&
		e.Reason != "the clearinghouse rejected the request (HTTP 422)" {
		return false
	}
	var probe struct {
		Errors []json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(raw, &probe) == nil && len(probe.Errors) > 0
}

// JSONRequest is the common JSON eligibility request.
type JSONRequest struct {
	ControlNumber           string        `json:"controlNumber"`
	TradingPartnerServiceID string        `json:"tradingPartnerServiceId"`
	Provider                JSONProvider  `json:"provider"`
	Subscriber              JSONPerson    `json:"subscriber"`
	Dependents              []JSONPerson  `json:"dependents,omitempty"`
	Encounter               JSONEncounter `json:"encounter"`
}

// JSONProvider is the requesting provider.
type JSONProvider struct {
	OrganizationName string `json:"organizationName"`
	NPI              string `json:"npi"`
}

// JSONPerson is a subscriber or dependent; dates are CCYYMMDD. It is PHI.
type JSONPerson struct {
	MemberID    string `json:"memberId,omitempty"`
	FirstName   string `json:"firstName,omitempty"`
	LastName    string `json:"lastName,omitempty"`
	DateOfBirth string `json:"dateOfBirth,omitempty"`
	Gender      string `json:"gender,omitempty"`
}

// String returns a placeholder; a JSONPerson is never printed.
func (JSONPerson) String() string { return "eligibility.JSONPerson{REDACTED}" }

// Format prints the placeholder for every verb.
func (p JSONPerson) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue redacts the person in structured logs.
func (p JSONPerson) LogValue() slog.Value { return slog.StringValue(p.String()) }

// JSONEncounter is what is asked: service types or a procedure, on a date.
type JSONEncounter struct {
	ServiceTypeCodes []string `json:"serviceTypeCodes,omitempty"`
	ProcedureCode    string   `json:"procedureCode,omitempty"`
	DateOfService    string   `json:"dateOfService"`
}

// NewJSONRequest maps an inquiry onto the JSON request for the clearinghouse's
// payer id. The trace number is the control number.
func NewJSONRequest(inq Inquiry, payerID string) JSONRequest {
	types := inq.ServiceTypes
	if len(types) == 0 {
		types = []string{"30"}
	}
	req := JSONRequest{
		ControlNumber: inq.TraceNumber, TradingPartnerServiceID: payerID,
		Provider:   JSONProvider{OrganizationName: inq.ProviderName, NPI: inq.ProviderNPI},
		Subscriber: jsonPerson(inq.Subscriber),
		Encounter: JSONEncounter{ServiceTypeCodes: types, ProcedureCode: inq.ProcedureCode,
			DateOfService: inq.DateOfService.Format("20060102")},
	}
	if inq.Dependent != nil {
		req.Dependents = []JSONPerson{jsonPerson(*inq.Dependent)}
	}
	return req
}

func jsonPerson(p x12.Person) JSONPerson {
	out := JSONPerson{MemberID: p.MemberID, FirstName: p.FirstName, LastName: p.LastName,
		Gender: p.Sex}
	if !p.BirthDate.IsZero() {
		out.DateOfBirth = p.BirthDate.Format("20060102")
	}
	return out
}
