package service_test

import (
	"context"
	"testing"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
)

func TestChangeEmailNeedsThePasswordAndEndsOtherSessions(t *testing.T) {
	f := mustFixture(t, store.SQLite)
	ctx := context.Background()
	first := mustStaffLogin(t, f)
	res, err := f.svc.Login(ctx, "staff@example.test", "correct horse battery 42", service.Client{})
	if err != nil {
		t.Fatal(err)
	}
	second := res.Token
	p, err := f.svc.Authenticate(ctx, first, service.Client{})
	if err != nil {
		t.Fatal(err)
	}
	err = f.svc.ChangeEmail(ctx, p, "staff.new@example.test", "not the password at all", "")
	if domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("wrong password: %v, want invalid", err)
	}
	if err := f.svc.ChangeEmail(ctx, p, "staff.new@example.test", "correct horse battery 42", ""); err != nil {
		t.Fatalf("change e-mail: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, first, service.Client{}); err != nil {
		t.Errorf("the session that changed the e-mail ended: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, second, service.Client{}); err == nil {
		t.Error("another session survived the e-mail change")
	}
	if _, err := f.svc.Login(ctx, "staff.new@example.test", "correct horse battery 42", service.Client{}); err != nil {
		t.Errorf("login with the new e-mail: %v", err)
	}
}

func TestResetOwnMFANeedsACurrentCode(t *testing.T) {
	f := mustFixture(t, store.SQLite)
	ctx := context.Background()
	tok := mustStaffLogin(t, f)
	p, err := f.svc.Authenticate(ctx, tok, service.Client{})
	if err != nil {
		t.Fatal(err)
	}
	enrolMFA(t, f, p.UserID)
	err = f.svc.ResetOwnMFA(ctx, p, "correct horse battery 42", "000000")
	if domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("a wrong code: %v, want invalid", err)
	}
	u, _ := f.svc.DB.UserByID(ctx, p.UserID)
	if !u.MFAEnabled {
		t.Fatal("a refused reset removed MFA")
	}
}
