package x12

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Person is a subscriber or dependent as a 270 names them. All of it is protected
// health information: String, Format and LogValue redact it.
type Person struct {
	MemberID   string    `json:"memberId,omitempty"`
	FirstName  string    `json:"firstName"`
	MiddleName string    `json:"middleName,omitempty"`
	LastName   string    `json:"lastName"`
	BirthDate  time.Time `json:"birthDate"`
	Sex        string    `json:"sex,omitempty"` // M, F or U
}

// String returns a fixed placeholder; a Person is never printed.
func (Person) String() string { return "x12.Person{REDACTED}" }

// Format prints the placeholder for every verb.
func (p Person) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue redacts the person in structured logs.
func (p Person) LogValue() slog.Value { return slog.StringValue(p.String()) }

// Request270 is one eligibility inquiry. The subscriber and dependent are
// protected health information, so String, Format and LogValue redact the whole
// request.
type Request270 struct {
	PayerName    string `json:"payerName"`
	PayerID      string `json:"payerId"`
	ProviderName string `json:"providerName"`
	ProviderNPI  string `json:"providerNpi"`
	Subscriber   Person `json:"subscriber"`
	// Dependent is set only when the patient has no member id of their own.
	Dependent     *Person   `json:"dependent,omitempty"`
	DateOfService time.Time `json:"dateOfService"`
	TraceNumber   string    `json:"traceNumber"`
	// TraceOriginator is TRN03: "1" and an EIN, or "9" and another id. It defaults
	// to "9" and the first nine digits of the provider NPI.
	TraceOriginator string `json:"traceOriginator,omitempty"`
	// Reference is BHT03, echoed by the payer; it defaults to TraceNumber.
	Reference    string   `json:"reference,omitempty"`
	ServiceTypes []string `json:"serviceTypes,omitempty"` // EQ01; default ["30"]
	// ProcedureCode asks at procedure level (EQ02 HC:<code>), e.g. a HCPCS Q-code.
	ProcedureCode string `json:"procedureCode,omitempty"`
}

// String returns a placeholder naming no patient data.
func (Request270) String() string { return "x12.Request270{REDACTED}" }

// Format prints the placeholder for every verb.
func (r Request270) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }

// LogValue redacts the request in structured logs.
func (r Request270) LogValue() slog.Value { return slog.StringValue(r.String()) }

// Validate checks every field the 270 needs and returns an error naming the
// first field that is missing or malformed, never its value.
func (r Request270) Validate() error {
	checks := []struct {
		field string
		ok    bool
		why   string
	}{
		{"payerName", textOK(r.PayerName, 60), "required, at most 60 plain characters"},
		{"payerId", idOK(r.PayerID, 80), "required, letters and digits"},
		{"providerName", textOK(r.ProviderName, 60), "required, at most 60 plain characters"},
		{"providerNpi", npiOK(r.ProviderNPI), "must be a valid 10-digit NPI"},
		{"subscriber.memberId", idOK(r.Subscriber.MemberID, 80), "required, letters and digits"},
		{"dateOfService", !r.DateOfService.IsZero(), "required"},
		{"traceNumber", idOK(r.TraceNumber, 50), "required, letters and digits"},
	}
	for _, c := range checks {
		if !c.ok {
			return fmt.Errorf("x12: 270 %s: %s", c.field, c.why)
		}
	}
	if err := r.Subscriber.validate("subscriber"); err != nil {
		return err
	}
	if r.Dependent != nil {
		if r.Dependent.MemberID != "" {
			return fmt.Errorf("x12: 270 dependent.memberId: must be empty; a patient with " +
				"a member id of their own is sent as the subscriber")
		}
		if err := r.Dependent.validate("dependent"); err != nil {
			return err
		}
	}
	return r.validateInquiry()
}

func (r Request270) validateInquiry() error {
	for _, st := range r.ServiceTypes {
		if !idOK(st, 2) {
			return fmt.Errorf("x12: 270 serviceTypes: each must be a 1-2 character code")
		}
	}
	if r.ProcedureCode != "" && !idOK(r.ProcedureCode, 48) {
		return fmt.Errorf("x12: 270 procedureCode: letters and digits only")
	}
	if r.TraceOriginator != "" && (len(r.TraceOriginator) != 10 || !digits(r.TraceOriginator)) {
		return fmt.Errorf("x12: 270 traceOriginator: must be 10 digits")
	}
	if r.Reference != "" && !idOK(r.Reference, 50) {
		return fmt.Errorf("x12: 270 reference: letters and digits, at most 50")
	}
	return nil
}

func (p Person) validate(role string) error {
	switch {
	case !textOK(p.LastName, 60):
		return fmt.Errorf("x12: 270 %s.lastName: required, at most 60 plain characters", role)
	case p.FirstName != "" && !textOK(p.FirstName, 35):
		return fmt.Errorf("x12: 270 %s.firstName: at most 35 plain characters", role)
	case p.MiddleName != "" && !textOK(p.MiddleName, 25):
		return fmt.Errorf("x12: 270 %s.middleName: at most 25 plain characters", role)
	case p.Sex != "" && p.Sex != "M" && p.Sex != "F" && p.Sex != "U":
		return fmt.Errorf("x12: 270 %s.sex: must be M, F or U", role)
	case p.MemberID != "" && !idOK(p.MemberID, 80):
		return fmt.Errorf("x12: 270 %s.memberId: letters and digits only", role)
	}
	return nil
}

// textOK accepts names: letters, digits, spaces and a few punctuation marks that
// no trading partner uses as a separator.
func textOK(s string, max int) bool {
	if strings.TrimSpace(s) == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameChars[s[i]] {
			return false
		}
	}
	return true
}

// nameChars marks the bytes textOK accepts.
var nameChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isAlnum(byte(c)) || strings.IndexByte(" -.,'&/()#", byte(c)) >= 0
	}
	return t
}()

func idOK(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// npiOK checks the length and the Luhn check digit (with the 80840 prefix) of an
// NPI.
func npiOK(npi string) bool {
	if len(npi) != 10 || !digits(npi) {
		return false
	}
	sum := 24 // the prefix 80840 contributes 24 to the Luhn sum
	for i := 8; i >= 0; i-- {
		d := int(npi[i] - '0')
		if (8-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10-sum%10)%10 == int(npi[9]-'0')
}
