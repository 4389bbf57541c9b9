package apitest_test

import (
	"bytes"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/store"
)

func TestLoginThrottleAndUniformFailures(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	acct := env.Account(t, "staff.harborview@demo.example")
	attempt := func(email string) apitest.Response {
		return env.Do(t, "POST", "/api/v1/auth/login", "",
			map[string]string{"email": email, "password": "not-the-password-1"})
	}
	wrong, unknown := attempt(acct.Email), attempt("nobody@demo.example")
	if wrong.Status != http.StatusUnauthorized || unknown.Status != wrong.Status || !bytes.Equal(wrong.Body, unknown.Body) {
		t.Fatalf("wrong password %d %s vs unknown e-mail %d %s: must be identical 401s",
			wrong.Status, wrong.Body, unknown.Status, unknown.Body)
	}
	// With the unknown e-mail, this address has failed ten times after the loop.
	for i := 2; i <= 9; i++ {
		if r := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": acct.Email, "password": "x" + strconv.Itoa(i) + "-wrong-password"}); r.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, r.Status)
		}
	}
	r := env.Do(t, "POST", "/api/v1/auth/login", "", map[string]string{"email": acct.Email, "password": acct.Password})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("after 10 failures from one address, even the right password: %d %s, want 429",
			r.Status, r.Body)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > 15*time.Minute {
		t.Errorf("Retry-After = %q, want 1..900 seconds", r.Header.Get("Retry-After"))
	}
}

func TestLogoutKillsTheTokenAtOnce(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	tok := env.Login(t, "rep.harborview@demo.example")
	if r := env.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusOK {
		t.Fatalf("me: %d", r.Status)
	}
	if r := env.Do(t, "POST", "/api/v1/auth/logout", tok, nil); r.Status != http.StatusNoContent {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := env.Do(t, "GET", "/api/v1/me", tok, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("me after logout: %d, want 401", r.Status)
	}
}
