package service

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// ListFacilities returns the facilities the caller may see: their practice's for
// clinic roles, those of practices in scope otherwise.
func (s *Service) ListFacilities(ctx context.Context, p domain.Principal) ([]domain.Facility, error) {
	return store.ListFacilities(ctx, s.DB.Reader(), p)
}

// AuditEntry is the API view of an audit record.
type AuditEntry struct {
	Seq          int64     `json:"seq"`
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	ActorID      string    `json:"actor_id"`
	ActorRole    string    `json:"actor_role"`
	SessionID    string    `json:"session_id,omitempty"`
	IP           string    `json:"ip,omitempty"`
	UserAgent    string    `json:"user_agent,omitempty"`
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	PatientID    string    `json:"patient_id,omitempty"`
	Fields       []string  `json:"fields"`
	Outcome      string    `json:"outcome"`
	Reason       string    `json:"reason,omitempty"`
	Severity     string    `json:"severity"`
}

// AuditPage is a page of audit entries in the list envelope.
type AuditPage struct {
	Items      []AuditEntry `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

func auditPage(pg audit.Page) AuditPage {
	out := AuditPage{Items: make([]AuditEntry, len(pg.Records)), NextCursor: pg.Next}
	for i, r := range pg.Records {
		e := r.Entry
		out.Items[i] = AuditEntry{Seq: r.Seq, ID: r.ID, At: r.At, ActorID: e.ActorID,
			ActorRole: e.ActorRole, SessionID: e.SessionID, IP: e.IP, UserAgent: e.UserAgent,
			Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID,
			PatientID: e.PatientID, Fields: e.Fields, Outcome: string(e.Outcome),
			Reason: e.Reason, Severity: string(e.Severity)}
		if out.Items[i].Fields == nil {
			out.Items[i].Fields = []string{}
		}
	}
	return out
}

func badCursor(err error) error {
	if errors.Is(err, audit.ErrBadCursor) {
		return &domain.Error{Code: domain.CodeBadRequest, Message: "bad query parameter",
			Fields: map[string]string{"cursor": "is not valid"}}
	}
	return err
}

// AccessLog answers "who saw or changed this patient": the audit entries of a
// patient in the caller's scope, newest first. Reading it is itself audited.
func (s *Service) AccessLog(ctx context.Context, p domain.Principal, patientID, cursor string,
	limit int) (AuditPage, error) {
	if _, err := s.GetPatient(ctx, p, patientID); err != nil {
		return AuditPage{}, err
	}
	pg, err := audit.ForPatient(ctx, s.DB, patientID, cursor, limit)
	if err != nil {
		return AuditPage{}, badCursor(err)
	}
	return auditPage(pg), nil
}

// AuditSearch lists audit entries for admins, filtered by patient_id, user_id,
// action, from and to (RFC 3339).
func (s *Service) AuditSearch(ctx context.Context, p domain.Principal, q url.Values, limit int) (
	AuditPage, error) {
	if p.Role != domain.RoleAdmin {
		return AuditPage{}, domain.ErrForbidden
	}
	f := audit.Filter{PatientID: q.Get("patient_id"), ActorID: q.Get("user_id"),
		Action: q.Get("action"), Cursor: q.Get("cursor"), Limit: limit}
	var fe domain.FieldErrors
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fe.Add(name, "must be an RFC 3339 time")
			}
			*dst = t
		}
	}
	if err := fe.Err(); err != nil {
		return AuditPage{}, &domain.Error{Code: domain.CodeBadRequest, Message: "bad query parameter",
			Fields: fe}
	}
	pg, err := audit.Search(ctx, s.DB, f)
	if err != nil {
		return AuditPage{}, badCursor(err)
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		return record(ctx, tx, entry(p, "audit.search", "audit", "", f.PatientID))
	})
	if err != nil {
		return AuditPage{}, fmt.Errorf("audit search: %w", err)
	}
	return auditPage(pg), nil
}
