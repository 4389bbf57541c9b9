package domain

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"
)

// Patient is a stored patient: the PHI of PatientInput plus what the platform
// controls. It prints and logs as redacted.
type Patient struct {
	ID          string `json:"id"`
	Reference   string `json:"reference"`
	PracticeID  string `json:"practice_id"`
	TerritoryID string `json:"territory_id"`
	PatientInput
	Version   int       `json:"version"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Format implements fmt.Formatter, so a Patient never prints its PHI.
func (p Patient) Format(f fmt.State, _ rune) { writeRedacted(f, "Patient") }

// LogValue implements slog.LogValuer, so a Patient never logs its PHI.
func (p Patient) LogValue() slog.Value { return redactedValue("Patient") }

// Initials returns the patient's initials, the only identity a PHI-minimal role
// sees.
func (p Patient) Initials() string { return PatientInitials(p.FirstName, p.LastName) }

// IVR is a stored insurance verification request.
type IVR struct {
	ID              string   `json:"id"`
	Reference       string   `json:"reference"`
	Status          IVRState `json:"status"`
	PracticeID      string   `json:"practice_id"`
	TerritoryID     string   `json:"territory_id"`
	PatientInitials string   `json:"patient_initials"`
	PhysicianID     string   `json:"physician_id,omitempty"`
	IVRInput
	AreaCm2          float64    `json:"area_cm2"`
	SuggestedCodes   []CPTLine  `json:"suggested_cpt_codes"`
	PrimaryPayerID   string     `json:"primary_payer_id,omitempty"`
	AssignedTo       string     `json:"assigned_to,omitempty"`
	Escalated        bool       `json:"escalated"`
	EscalationReason string     `json:"escalation_reason,omitempty"`
	ValidUntil       Date       `json:"valid_until,omitempty"`
	DenialCode       DenyReason `json:"denial_code,omitempty"`
	DenialReason     string     `json:"denial_reason,omitempty"`
	Notes            string     `json:"notes,omitempty"`
	PayerReference   string     `json:"payer_reference,omitempty"`
	Benefits         []Benefit  `json:"benefits,omitempty"`
	Eligibility      string     `json:"eligibility_status"`
	SubmittedAt      *time.Time `json:"submitted_at,omitempty"`
	DecidedAt        *time.Time `json:"decided_at,omitempty"`
	// WaitingSeconds is how long a queued IVR has waited since submission; set
	// by the specialist queue only.
	WaitingSeconds int64     `json:"waiting_seconds,omitempty"`
	Version        int       `json:"version"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Format implements fmt.Formatter, so an IVR never prints its PHI.
func (v IVR) Format(f fmt.State, _ rune) { writeRedacted(f, "IVR") }

// LogValue implements slog.LogValuer, so an IVR never logs its PHI.
func (v IVR) LogValue() slog.Value { return redactedValue("IVR") }

// Usable reports whether the IVR can back an order at now: approved and not past
// its valid_until date, whether or not the expiry job has run yet.
func (v IVR) Usable(now time.Time) bool {
	return v.Status == IVRApproved && v.ValidUntil != "" && DateOf(now) <= v.ValidUntil
}

// EffectiveStatus is the status a reader should see: an approved IVR past its
// date reads as expired even before the background job has moved it.
func (v IVR) EffectiveStatus(now time.Time) IVRState {
	if v.Status == IVRApproved && v.ValidUntil != "" && DateOf(now) > v.ValidUntil {
		return IVRExpired
	}
	return v.Status
}

// StatusChange is one entry of a record's status history.
type StatusChange struct {
	Action    string    `json:"action"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	ActorID   string    `json:"actor_id"`
	ActorRole Role      `json:"actor_role"`
	Reason    string    `json:"reason,omitempty"`
	At        time.Time `json:"at"`
}

// Message is one entry of an IVR's clinic–specialist thread, including
// information requests (Kind "request") and responses.
type Message struct {
	ID        string    `json:"id"`
	AuthorID  string    `json:"author_id"`
	Kind      string    `json:"kind"`
	Body      string    `json:"body"`
	Items     []string  `json:"items,omitempty"`
	DueDate   Date      `json:"due_date,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Order is a stored product order.
type Order struct {
	ID               string        `json:"id"`
	Reference        string        `json:"reference"`
	IVRID            string        `json:"ivr_id"`
	Status           OrderState    `json:"status"`
	PracticeID       string        `json:"practice_id"`
	TerritoryID      string        `json:"territory_id"`
	FacilityID       string        `json:"facility_id"`
	PatientInitials  string        `json:"patient_initials"`
	Items            []ProductLine `json:"items"`
	Carrier          Carrier       `json:"carrier,omitempty"`
	TrackingNumber   string        `json:"tracking_number,omitempty"`
	ExpectedDelivery Date          `json:"expected_delivery,omitempty"`
	Overdue          bool          `json:"overdue"`
	Condition        string        `json:"condition,omitempty"`
	Note             string        `json:"note,omitempty"`
	ShippedAt        *time.Time    `json:"shipped_at,omitempty"`
	DeliveredAt      *time.Time    `json:"delivered_at,omitempty"`
	Version          int           `json:"version"`
	PlacedBy         string        `json:"placed_by"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
}

// FieldPath builds an indexed field path such as "coverages[0].payer_id", the
// form field errors use.
func FieldPath(list string, i int, field string) string { return fieldAt(list, i, field) }

// SetFields returns the JSON names of the non-nil pointer fields of a patch
// struct: the fields a PATCH touches, for the audit trail (names, never values).
func SetFields(patch any) []string {
	v := reflect.ValueOf(patch)
	t := v.Type()
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			out = append(out, name)
		}
	}
	return out
}

// Fields returns the names of the fields the patch sets.
func (pp PatientPatch) Fields() []string { return SetFields(pp) }
