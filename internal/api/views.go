package api

import (
	"github.com/openivr/ivr/internal/domain"
)

// list is the envelope of every list response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// minimalIVR is the view of an IVR for PHI-minimal roles: reference, status,
// practice, territory, initials, products, dates and version, nothing else.
type minimalIVR struct {
	ID              string               `json:"id"`
	Reference       string               `json:"reference"`
	Status          domain.IVRState      `json:"status"`
	PracticeID      string               `json:"practice_id"`
	TerritoryID     string               `json:"territory_id"`
	PatientInitials string               `json:"patient_initials"`
	Products        []domain.ProductLine `json:"products"`
	ValidUntil      domain.Date          `json:"valid_until,omitempty"`
	SubmittedAt     any                  `json:"submitted_at,omitempty"`
	DecidedAt       any                  `json:"decided_at,omitempty"`
	CreatedAt       any                  `json:"created_at"`
	UpdatedAt       any                  `json:"updated_at"`
	Version         int                  `json:"version"`
}

// ivrView returns the view of v that p may see.
func ivrView(p domain.Principal, v domain.IVR) any {
	if !p.Role.PHIMinimal() {
		return v
	}
	m := minimalIVR{ID: v.ID, Reference: v.Reference, Status: v.Status, PracticeID: v.PracticeID,
		TerritoryID: v.TerritoryID, PatientInitials: v.PatientInitials, Products: v.Products,
		ValidUntil: v.ValidUntil, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Version: v.Version}
	if v.SubmittedAt != nil {
		m.SubmittedAt = v.SubmittedAt
	}
	if v.DecidedAt != nil {
		m.DecidedAt = v.DecidedAt
	}
	return m
}

func ivrViews(p domain.Principal, vs []domain.IVR) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = ivrView(p, v)
	}
	return out
}

// orderView strips the delivery note (free text that may hold PHI) from the
// view of PHI-minimal roles.
func orderView(p domain.Principal, o domain.Order) domain.Order {
	if p.Role.PHIMinimal() {
		o.Note = ""
	}
	return o
}
