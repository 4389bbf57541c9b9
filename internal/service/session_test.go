package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/service"
	"github.com/openivr/ivr/internal/store"
)

// clock is a settable time for session boundary tests.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// TestSessionBoundaries logs a user in and checks the idle and absolute limits,
// logout, disabling and a password change at their exact boundaries.
func TestSessionBoundaries(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		act   func(t *testing.T, f *fixture, c *clock, p domain.Principal)
		after time.Duration
		valid bool
	}{
		{"idle just under the limit", nil, 15*time.Minute - time.Second, true},
		{"idle at the limit", nil, 15 * time.Minute, false},
		{"absolute just under the limit, kept busy", keepBusy(12*time.Hour - time.Second), 0, true},
		{"absolute at the limit, kept busy", keepBusy(12 * time.Hour), 0, false},
		{"logout", func(t *testing.T, f *fixture, _ *clock, p domain.Principal) {
			if err := f.svc.Logout(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		}, time.Second, false},
		{"user disabled", func(t *testing.T, f *fixture, _ *clock, p domain.Principal) {
			admin := domain.Principal{UserID: "admin-test", Role: domain.RoleAdmin}
			if err := f.svc.SetUserDisabled(context.Background(), admin, p.UserID, true); err != nil {
				t.Fatal(err)
			}
		}, time.Second, false},
		{"password changed", func(t *testing.T, f *fixture, c *clock, p domain.Principal) {
			c.now = c.now.Add(time.Second)
			if err := f.svc.SetPassword(context.Background(), domain.System, "staff@example.test",
				"another long passphrase 77"); err != nil {
				t.Fatal(err)
			}
		}, time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := mustFixture(t, store.SQLite)
			c := &clock{now: start}
			f.svc.DB.Now = c.Now
			token := mustStaffLogin(t, f)
			p, err := f.svc.Authenticate(context.Background(), token, service.Client{})
			if err != nil {
				t.Fatalf("fresh session: %v", err)
			}
			if tc.act != nil {
				tc.act(t, f, c, p)
			}
			c.now = c.now.Add(tc.after)
			_, err = f.svc.Authenticate(context.Background(), token, service.Client{})
			if got := err == nil; got != tc.valid {
				t.Errorf("valid = %v (%v), want %v", got, err, tc.valid)
			}
		})
	}
}

// keepBusy uses the session every ten minutes until d after login.
func keepBusy(d time.Duration) func(t *testing.T, f *fixture, c *clock, p domain.Principal) {
	return func(t *testing.T, f *fixture, c *clock, _ domain.Principal) {
		t.Helper()
		end := c.now.Add(d)
		for c.now.Add(10 * time.Minute).Before(end) {
			c.now = c.now.Add(10 * time.Minute)
			if _, err := f.svc.Authenticate(context.Background(), f.lastToken, service.Client{}); err != nil {
				t.Fatalf("session died early at %s: %v", c.now, err)
			}
		}
		c.now = end
	}
}

// mustStaffLogin creates an office staff user (no MFA: the test is about
// sessions) and logs in.
func mustStaffLogin(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	hash, err := f.svc.Hasher.Hash(ctx, "correct horse battery 42")
	if err != nil {
		t.Fatal(err)
	}
	u := domain.User{Email: "staff@example.test", Name: "Staff", Role: domain.RoleOfficeStaff,
		OrganizationID: f.doctor.OrganizationID, PasswordHash: hash}
	if err := f.svc.DB.InTx(ctx, func(tx *store.Tx) error { return store.CreateUser(ctx, tx, &u, false) }); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Login(ctx, u.Email, "correct horse battery 42", service.Client{})
	if err != nil || res.Token == "" {
		t.Fatalf("login: %+v %v", res, err)
	}
	f.lastToken = res.Token
	return res.Token
}
