package eligibility

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/openivr/ivr/x12"
)

// Inquiry is what a 270 needs: the payer (by our payer id), the provider, the
// subscriber and, when the patient has no member id of their own, the dependent.
// It is protected health information: String, Format and LogValue redact it.
type Inquiry struct {
	PayerID      string      `json:"payerId"` // ours; mapped per clearinghouse by a PayerMap
	PayerName    string      `json:"payerName"`
	ProviderName string      `json:"providerName"`
	ProviderNPI  string      `json:"providerNpi"`
	Subscriber   x12.Person  `json:"subscriber"`
	Dependent    *x12.Person `json:"dependent,omitempty"`
	// DateOfService is the planned date of service, not the policy start.
	DateOfService time.Time `json:"dateOfService"`
	ServiceTypes  []string  `json:"serviceTypes,omitempty"` // default ["30"]
	ProcedureCode string    `json:"procedureCode,omitempty"`
	// TraceNumber correlates the 271 with the inquiry; the Checker sets one if empty.
	TraceNumber string `json:"traceNumber,omitempty"`
}

// String returns a placeholder naming no patient data.
func (Inquiry) String() string { return "eligibility.Inquiry{REDACTED}" }

// Format prints the placeholder for every verb.
func (q Inquiry) Format(f fmt.State, _ rune) { fmt.Fprint(f, q.String()) }

// LogValue redacts the inquiry in structured logs.
func (q Inquiry) LogValue() slog.Value { return slog.StringValue(q.String()) }

// Request270 returns the x12 request for q, addressed to the clearinghouse's id
// for the payer.
func (q Inquiry) Request270(clearinghousePayerID string) x12.Request270 {
	return x12.Request270{
		PayerName: q.PayerName, PayerID: clearinghousePayerID,
		ProviderName: q.ProviderName, ProviderNPI: q.ProviderNPI,
		Subscriber: q.Subscriber, Dependent: q.Dependent, DateOfService: q.DateOfService,
		TraceNumber: q.TraceNumber, ServiceTypes: q.ServiceTypes, ProcedureCode: q.ProcedureCode,
	}
}

// Validate returns an error naming the first missing or malformed field, never its
// value.
func (q Inquiry) Validate() error {
	if q.PayerID == "" {
		return fmt.Errorf("inquiry payerId: required")
	}
	r := q.Request270(q.PayerID)
	if r.TraceNumber == "" {
		r.TraceNumber = "0" // set by the Checker before sending
	}
	return r.Validate()
}

// Status is the outcome of a check.
type Status string

// The outcomes of a check. A payer's rejection (AAA) is still StatusOK: the
// payer answered, and the answer is in the summary.
const (
	StatusOK     Status = "ok"
	StatusFailed Status = "failed"
)

// Result is the outcome of one check. Summary and the raw bytes are protected
// health information: the caller stores them encrypted. String, Format and
// LogValue show only the status, reason and attempt count.
type Result struct {
	Status        Status    `json:"status"`
	Reason        string    `json:"reason,omitempty"` // why it failed; safe to show, no PHI
	Clearinghouse string    `json:"clearinghouse"`
	PayerID       string    `json:"payerId,omitempty"` // the clearinghouse's payer id used
	TraceNumber   string    `json:"traceNumber,omitempty"`
	Attempts      int       `json:"attempts"`
	CheckedAt     time.Time `json:"checkedAt"`
	// Summary is the normalised 271 for the patient; nil when the check failed.
	Summary *x12.Response271 `json:"summary,omitempty"`
	// RawFormat is "x12" when RawRequest and RawResponse are the 270 and 271
	// interchanges, "json" for the JSON eligibility shape.
	RawFormat   string `json:"rawFormat,omitempty"`
	RawRequest  []byte `json:"-"`
	RawResponse []byte `json:"-"`
}

// String returns the status, reason and attempts, nothing about the patient.
func (r Result) String() string {
	if r.Reason == "" {
		return fmt.Sprintf("eligibility.Result{%s, %d attempts}", r.Status, r.Attempts)
	}
	return fmt.Sprintf("eligibility.Result{%s: %s, %d attempts}", r.Status, r.Reason, r.Attempts)
}

// Format prints String for every verb.
func (r Result) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }

// LogValue shows only non-PHI fields in structured logs.
func (r Result) LogValue() slog.Value {
	return slog.GroupValue(slog.String("status", string(r.Status)), slog.String("reason", r.Reason),
		slog.Int("attempts", r.Attempts), slog.String("clearinghouse", r.Clearinghouse))
}

// Clearinghouse sends one inquiry to a payer and returns its answer. On failure it
// returns an error, preferably an *Error saying whether a retry may help; the
// error never carries PHI.
type Clearinghouse interface {
	// Name identifies the clearinghouse in results and metrics.
	Name() string
	Check(ctx context.Context, inq Inquiry) (Result, error)
}

// Error is a failed exchange with a clearinghouse. Reason is safe to show to a
// user; Temporary says whether trying again may succeed.
type Error struct {
	Reason    string
	Temporary bool
	Err       error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Err == nil {
		return "eligibility: " + e.Reason
	}
	return "eligibility: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func temporary(reason string, err error) *Error {
	return &Error{Reason: reason, Temporary: true, Err: err}
}

func permanent(reason string, err error) *Error {
	return &Error{Reason: reason, Err: err}
}

// ErrUnknownPayer is returned when a PayerMap has no entry for a payer.
var ErrUnknownPayer = errors.New("payer has no id at this clearinghouse")

// PayerMap maps our payer ids to one clearinghouse's payer ids. A nil map passes
// ids through unchanged.
type PayerMap map[string]string

// Lookup returns the clearinghouse's id for payerID, or an error wrapping
// ErrUnknownPayer that names our id (payer ids are not PHI).
func (m PayerMap) Lookup(payerID string) (string, error) {
	if m == nil {
		return payerID, nil
	}
	id, ok := m[payerID]
	if !ok || id == "" {
		return "", fmt.Errorf("payer %q: %w", payerID, ErrUnknownPayer)
	}
	return id, nil
}

// mapPayer resolves the clearinghouse payer id as a permanent *Error.
func mapPayer(m PayerMap, payerID string) (string, error) {
	id, err := m.Lookup(payerID)
	if err != nil {
		return "", permanent("payer is not configured for this clearinghouse", err)
	}
	return id, nil
}

// summaryFor picks the response for the inquiry's patient: the one whose trace
// echoes ours, else the first.
func summaryFor(rs []x12.Response271, trace string) (*x12.Response271, error) {
	if len(rs) == 0 {
		return nil, permanent("the response holds no 271 answer", nil)
	}
	for i := range rs {
		for _, t := range rs[i].Traces {
			if t.Number == trace {
				return &rs[i], nil
			}
		}
	}
	return &rs[0], nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
