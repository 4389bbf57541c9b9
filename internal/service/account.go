package service

import (
	"context"
	"strings"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// reauthenticate checks the caller's password and, when MFA is enabled, a fresh
// TOTP or recovery code: the proof asked before changing how the account signs
// in. A failure counts against the login throttle.
func (s *Service) reauthenticate(ctx context.Context, p domain.Principal, password, code string) (
	domain.User, error) {
	u, err := s.DB.UserByID(ctx, p.UserID)
	if err != nil {
		return u, err
	}
	if wait, _ := s.Throttle.Check(ctx, u.Email, p.IP); wait > 0 {
		return u, &RetryError{After: wait}
	}
	ok, _, err := s.Hasher.Verify(ctx, password, u.PasswordHash)
	if err != nil || !ok {
		s.Throttle.Failure(ctx, u.Email, p.IP)
		return u, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"password": "is not the account's password"}}
	}
	if u.MFAEnabled {
		ok, err := s.checkSecondFactor(ctx, u, code, "")
		if err != nil {
			return u, err
		}
		if !ok {
			s.Throttle.Failure(ctx, u.Email, p.IP)
			return u, &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
				Fields: map[string]string{"code": "is not a current MFA or recovery code"}}
		}
	}
	return u, nil
}

// ChangeEmail changes the caller's sign-in e-mail after re-authentication, and
// ends every other session of the account.
func (s *Service) ChangeEmail(ctx context.Context, p domain.Principal, email, password, code string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") || len(email) > 254 {
		return &domain.Error{Code: domain.CodeInvalid, Message: "validation failed",
			Fields: map[string]string{"email": "must be an e-mail address"}}
	}
	if _, err := s.reauthenticate(ctx, p, password, code); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetEmail(ctx, tx, p.UserID, email); err != nil {
			return err
		}
		if err := store.RevokeOtherSessions(ctx, tx, p.UserID, p.SessionID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.email_change", "user", p.UserID, "", "email"))
	})
}

// ResetOwnMFA removes the caller's MFA after re-authentication, so they enrol a
// new authenticator; every other session ends.
func (s *Service) ResetOwnMFA(ctx context.Context, p domain.Principal, password, code string) error {
	if _, err := s.reauthenticate(ctx, p, password, code); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := store.SetMFA(ctx, tx, p.UserID, nil, false, nil); err != nil {
			return err
		}
		if err := store.RevokeOtherSessions(ctx, tx, p.UserID, p.SessionID); err != nil {
			return err
		}
		return record(ctx, tx, entry(p, "user.mfa_reset", "user", p.UserID, "", "mfa"))
	})
}
