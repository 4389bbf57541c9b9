package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/demo"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
)

// TestMFAEnrolment: a new doctor without MFA is sent to the enrolment page on
// every page, confirms a code of the shown secret, and then must use MFA to log in.
func TestMFAEnrolment(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	svc := env.App.Service()
	doctor := accountWithRole(t, env, "doctor")
	me, err := svc.DB.UserByEmail(context.Background(), doctor.Email)
	if err != nil {
		t.Fatal(err)
	}
	admin := domain.Principal{UserID: "test-admin", Role: domain.RoleAdmin}
	acct := demo.Account{Email: "new.doctor@example.test", Password: "a long enough passphrase 9", Role: "doctor"}
	if _, err := svc.CreateUser(context.Background(), admin, service.CreateUserInput{Email: acct.Email,
		Name: "New Doctor", Role: domain.RoleDoctor, OrganizationID: me.OrganizationID,
		Password: acct.Password}); err != nil {
		t.Fatal(err)
	}
	c := MustLogin(t, env, acct)
	if c.MustGet(t, "/").URL != "/mfa/enroll" {
		t.Fatal("a doctor without MFA was not sent to the enrolment page")
	}
	p := c.MustGet(t, "/mfa/enroll")
	codes := find(p.Doc, tagged("code"))
	if len(codes) < 2+auth.RecoveryCodeCount {
		t.Fatalf("enrolment page shows %d codes, want the secret, the link and %d recovery codes",
			len(codes), auth.RecoveryCodeCount)
	}
	secret := text(codes[0])
	bad := c.MustPost(t, "/mfa/enroll", url.Values{"csrf_token": {csrfOf(t, p)}, "code": {"000000"}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("a wrong code: %d, want 422", bad.Status)
	}
	p = c.MustGet(t, "/mfa/enroll")
	secret = text(find(p.Doc, tagged("code"))[0])
	code, _ := auth.DefaultTOTP.Code(secret, time.Now())
	home := c.MustPost(t, "/mfa/enroll", url.Values{"csrf_token": {csrfOf(t, p)}, "code": {code}})
	if home.Status != http.StatusOK || home.URL != "/" {
		t.Fatalf("confirming: ended on %s with %d", home.URL, home.Status)
	}
	// The next login asks for a code.
	acct.TOTPSecret = secret
	time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
	next := MustLogin(t, env, acct)
	if p := next.MustGet(t, "/"); p.URL != "/" || strings.Contains(p.Body, "Set up two-factor") {
		t.Errorf("after enrolment the home page is %s", p.URL)
	}
}
