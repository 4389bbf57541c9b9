// Package apitest starts the whole platform in-process for tests: a real server
// on a loopback port, a fresh database (SQLite, or a PostgreSQL schema when
// IVR_TEST_DATABASE_URL is set), a temporary data dir and the demo world. Tests
// then talk to it over HTTP exactly as a client would.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/app"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/config"
	"github.com/openivr/ivr/internal/demo"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// Env is a running platform with the demo world.
type Env struct {
	App         *app.App
	DatabaseURL string // "" for SQLite in DataDir
	URL         string
	DataDir     string
	Accounts    []demo.Account
	Client      *http.Client
	tokens      map[string]string
}

// Options adjust Start.
type Options struct {
	// Log receives every log line of the platform (at debug level) when set.
	Log io.Writer
}

// Start runs the platform on dialect d for the rest of the test. Logs go to the
// test log only when IVR_TEST_LOG=1.
func Start(tb testing.TB, d store.Dialect) *Env {
	tb.Helper()
	return StartWith(tb, d, Options{})
}

// StartWith is Start with options.
func StartWith(tb testing.TB, d store.Dialect, o Options) *Env {
	tb.Helper()
	dir := tb.TempDir()
	args := []string{"--data-dir", dir, "--addr", "127.0.0.1:0", "--demo"}
	getenv := func(k string) string {
		if k == "IVR_DATABASE_URL" {
			return storetest.MustURL(tb, d)
		}
		return ""
	}
	cfg, _, err := config.Parse("serve", args, getenv, io.Discard)
	if err != nil {
		tb.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	switch {
	case o.Log != nil:
		log = slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	case os.Getenv("IVR_TEST_LOG") == "1":
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		tb.Fatalf("start app: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		a.Close()
	})
	e := &Env{App: a, DatabaseURL: cfg.DatabaseURL, URL: "http://" + a.Addr(), DataDir: dir,
		Client: &http.Client{Timeout: 30 * time.Second}, tokens: map[string]string{}}
	b, err := os.ReadFile(filepath.Join(dir, "demo-accounts.json"))
	if err != nil {
		tb.Fatalf("read demo accounts: %v", err)
	}
	if err := json.Unmarshal(b, &e.Accounts); err != nil {
		tb.Fatalf("decode demo accounts: %v", err)
	}
	return e
}

// Account returns the demo account with the e-mail.
func (e *Env) Account(tb testing.TB, email string) demo.Account {
	tb.Helper()
	for _, a := range e.Accounts {
		if a.Email == email {
			return a
		}
	}
	tb.Fatalf("no demo account %s", email)
	return demo.Account{}
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map returns the body as a JSON object.
func (r Response) Map(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	r.JSON(tb, &m)
	return m
}

// Do sends a request with the token (may be "") and a body (nil, []byte, string,
// or a value to encode as JSON), and extra headers as name, value pairs.
func (e *Env) Do(tb testing.TB, method, path, token string, body any, headers ...string) Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// Login returns a session token for the demo account, answering the MFA
// challenge with the current TOTP code. Tokens are cached per e-mail.
func (e *Env) Login(tb testing.TB, email string) string {
	tb.Helper()
	if t, ok := e.tokens[email]; ok {
		return t
	}
	acct := e.Account(tb, email)
	r := e.Do(tb, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": acct.Password})
	if r.Status != http.StatusOK {
		tb.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var res struct {
		Token    string `json:"token"`
		MFAToken string `json:"mfa_token"`
	}
	r.JSON(tb, &res)
	if res.MFAToken != "" {
		res.Token = e.answerMFA(tb, acct, res.MFAToken)
	}
	e.tokens[email] = res.Token
	return res.Token
}

// answerMFA posts the current TOTP code; when the code of this 30-second step was
// already used by an earlier login of the same account, it waits for the next.
func (e *Env) answerMFA(tb testing.TB, acct demo.Account, mfaToken string) string {
	tb.Helper()
	for i := 0; i < 3; i++ {
		code, err := auth.DefaultTOTP.Code(acct.TOTPSecret, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		r := e.Do(tb, "POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mfaToken, "code": code})
		if r.Status == http.StatusOK {
			var res struct {
				Token string `json:"token"`
			}
			r.JSON(tb, &res)
			return res.Token
		}
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30 * time.Second)))
	}
	tb.Fatalf("mfa for %s failed", acct.Email)
	return ""
}
