package service

import (
	"context"
	"strings"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// BreakGlassInput is the body of POST /api/v1/break-glass.
type BreakGlassInput struct {
	PatientID string `json:"patient_id"`
	Reason    string `json:"reason"`
	Code      string `json:"code"`
}

// BreakGlassGrant is a time-boxed grant to open one patient outside the scope.
type BreakGlassGrant struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// BreakGlass opens one patient outside the caller's scope for a limited time,
// after a fresh MFA code and a reason. It writes a high-severity audit entry and
// a security event for admins.
func (s *Service) BreakGlass(ctx context.Context, p domain.Principal, in BreakGlassInput) (BreakGlassGrant, error) {
	var fe domain.FieldErrors
	if strings.TrimSpace(in.PatientID) == "" {
		fe.Add("patient_id", "is required")
	}
	if len(strings.TrimSpace(in.Reason)) < 10 {
		fe.Add("reason", "must explain the need in at least 10 characters")
	}
	if strings.TrimSpace(in.Code) == "" {
		fe.Add("code", "a current MFA code is required")
	}
	if err := fe.Err(); err != nil {
		return BreakGlassGrant{}, err
	}
	u, err := s.DB.UserByID(ctx, p.UserID)
	if err != nil {
		return BreakGlassGrant{}, err
	}
	if !u.MFAEnabled {
		return BreakGlassGrant{}, domain.Conflict("break glass", "mfa not enrolled")
	}
	ok, err := s.checkSecondFactor(ctx, u, in.Code, "")
	if err != nil {
		return BreakGlassGrant{}, err
	}
	if !ok {
		return BreakGlassGrant{}, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"code": "is not a valid MFA code"}}
	}
	g := BreakGlassGrant{ID: store.NewID(), PatientID: in.PatientID}
	err = s.inTx(ctx, func(tx *store.Tx) error {
		var practiceID string
		err := tx.QueryRowContext(ctx, `SELECT practice_id FROM patients WHERE id = $1`, in.PatientID).
			Scan(&practiceID)
		if err != nil {
			return domain.ErrNotFound
		}
		g.ExpiresAt = tx.Now.Add(s.BreakGlassFor)
		if _, err := tx.ExecContext(ctx, `INSERT INTO break_glass_grants (id, user_id, patient_id,
			reason, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			g.ID, p.UserID, in.PatientID, in.Reason, tx.Now, g.ExpiresAt); err != nil {
			return err
		}
		e := entry(p, "patient.break_glass", "patient", in.PatientID, in.PatientID)
		e.Reason, e.Severity = in.Reason, audit.SeverityHigh
		if err := record(ctx, tx, e); err != nil {
			return err
		}
		return emit(ctx, tx, "security.break_glass", "patient", in.PatientID, practiceID, in.PatientID,
			map[string]any{"practice_id": practiceID, "expires_at": g.ExpiresAt})
	})
	return g, err
}
