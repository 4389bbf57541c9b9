package domain

import (
	"fmt"
	"log/slog"
	"time"
)

// Limits on an information request.
const (
	MaxInfoItems     = 20
	MaxInfoDueDays   = 90
	maxInfoItemChars = 500
)

// DenyInput is the deny action's body: a reason code and an explanation. The text
// may mention the patient, so it prints and logs as redacted.
type DenyInput struct {
	ReasonCode DenyReason `json:"reason_code"`
	Reason     string     `json:"reason"`
}

// Validate checks the denial. It returns nil or an *Error with CodeInvalid.
func (d DenyInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkEnum(&fe, "reason_code", d.ReasonCode, true, DenyReason.Valid)
	checkText(&fe, "reason", d.Reason, true, maxReason)
	return fe.Err()
}

// RequestInfoInput is the request-info action's body: what the clinic must
// provide, and by when. It prints and logs as redacted.
type RequestInfoInput struct {
	Items   []string `json:"items"`
	DueDate Date     `json:"due_date"`
}

// Validate checks the request with today taken from now (UTC): one to
// MaxInfoItems items, and a due date from today to MaxInfoDueDays ahead. It
// returns nil or an *Error with CodeInvalid.
func (r RequestInfoInput) Validate(now time.Time) error {
	var fe FieldErrors
	today := DateOf(now)
	if len(r.Items) == 0 || len(r.Items) > MaxInfoItems {
		fe.Add("items", fmt.Sprintf("must have 1 to %d entries", MaxInfoItems))
	}
	for i, item := range r.Items {
		checkText(&fe, fieldAt("items", i, ""), item, true, maxInfoItemChars)
	}
	if checkDate(&fe, "due_date", r.DueDate, true) {
		switch {
		case r.DueDate < today:
			fe.Add("due_date", msgPast)
		case r.DueDate > today.AddDays(MaxInfoDueDays):
			fe.Add("due_date", fmt.Sprintf("must be within %d days", MaxInfoDueDays))
		}
	}
	return fe.Err()
}

// RespondInput is the respond action's body: an optional message to the
// specialist (documents are uploaded separately). It prints and logs as redacted.
type RespondInput struct {
	Message string `json:"message"`
}

// Validate checks the response. It returns nil or an *Error with CodeInvalid.
func (r RespondInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkText(&fe, "message", r.Message, false, maxMessage)
	return fe.Err()
}

// AssignInput is the assign action's body. An empty SpecialistID means the caller
// picks the IVR up; the caller checks that the id names an IVR specialist.
type AssignInput struct {
	SpecialistID string `json:"specialist_id,omitempty"`
}

// Validate checks the assignment. It returns nil or an *Error with CodeInvalid.
func (a AssignInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkText(&fe, "specialist_id", a.SpecialistID, false, maxID)
	return fe.Err()
}

// CancelInput is the cancel action's body, for IVRs and orders alike. It prints
// and logs as redacted.
type CancelInput struct {
	Reason string `json:"reason"`
}

// Validate requires a reason. It returns nil or an *Error with CodeInvalid.
func (c CancelInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkText(&fe, "reason", c.Reason, true, maxReason)
	return fe.Err()
}

// EscalateInput is the escalate action's body. It prints and logs as redacted.
type EscalateInput struct {
	Reason string `json:"reason"`
}

// Validate requires a reason. It returns nil or an *Error with CodeInvalid.
func (e EscalateInput) Validate(_ time.Time) error {
	var fe FieldErrors
	checkText(&fe, "reason", e.Reason, true, maxReason)
	return fe.Err()
}

// Format prints d as redacted whatever the verb.
func (d DenyInput) Format(f fmt.State, _ rune) { writeRedacted(f, "DenyInput") }

// LogValue logs d as redacted.
func (d DenyInput) LogValue() slog.Value { return redactedValue("DenyInput") }

// Format prints r as redacted whatever the verb.
func (r RequestInfoInput) Format(f fmt.State, _ rune) {
	writeRedacted(f, "RequestInfoInput")
}

// LogValue logs r as redacted.
func (r RequestInfoInput) LogValue() slog.Value { return redactedValue("RequestInfoInput") }

// Format prints r as redacted whatever the verb.
func (r RespondInput) Format(f fmt.State, _ rune) { writeRedacted(f, "RespondInput") }

// LogValue logs r as redacted.
func (r RespondInput) LogValue() slog.Value { return redactedValue("RespondInput") }

// Format prints c as redacted whatever the verb.
func (c CancelInput) Format(f fmt.State, _ rune) { writeRedacted(f, "CancelInput") }

// LogValue logs c as redacted.
func (c CancelInput) LogValue() slog.Value { return redactedValue("CancelInput") }

// Format prints e as redacted whatever the verb.
func (e EscalateInput) Format(f fmt.State, _ rune) { writeRedacted(f, "EscalateInput") }

// LogValue logs e as redacted.
func (e EscalateInput) LogValue() slog.Value { return redactedValue("EscalateInput") }
