package loadgen

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testDouble is a stand-in for the platform server, written for these tests only: it
// implements login (with MFA for accounts that have a secret) and the few read and
// draft endpoints the scenarios call, with an optional delay and request counts. It is
// not the platform's server.
type testDouble struct {
	delay  time.Duration
	serial bool // handle one request at a time, so requests queue in the double
	deny   map[string]bool

	once     sync.Mutex // held while a serial request runs
	mu       sync.Mutex
	counts   map[string]int
	drafts   []map[string]any
	accounts map[string]testAccount
	tokens   map[string]bool
	mfa      map[string]string // mfa_token → e-mail
}

type testAccount struct{ password, secret string }

const farFuture = "2030-01-01T00:00:00Z"

// MustTestDouble starts a test double on a loopback port; it stops with the test.
func MustTestDouble(tb testing.TB, d *testDouble) *httptest.Server {
	tb.Helper()
	d.counts = map[string]int{}
	d.tokens = map[string]bool{"static-token": true}
	d.mfa = map[string]string{}
	if d.accounts == nil {
		d.accounts = map[string]testAccount{}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login", d.login)
	mux.HandleFunc("POST /api/v1/auth/mfa", d.answerMFA)
	for _, p := range []string{"GET /api/v1/ivrs", "GET /api/v1/ivrs/{id}",
		"GET /api/v1/queue", "GET /api/v1/patients", "GET /api/v1/facilities",
		"GET /api/v1/products", "POST /api/v1/ivrs"} {
		mux.Handle(p, d.guard(p))
	}
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

func (d *testDouble) count(route string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.counts[route]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code,
		"message": code}})
}

func (d *testDouble) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Email, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, 400, "bad_request")
		return
	}
	a, ok := d.accounts[in.Email]
	if !ok || a.password != in.Password {
		writeErr(w, 401, "unauthenticated")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if a.secret != "" {
		d.mfa["mfa-"+in.Email] = in.Email
		writeJSON(w, 200, map[string]any{"mfa_required": true,
			"mfa_token": "mfa-" + in.Email})
		return
	}
	d.tokens["tok-"+in.Email] = true
	writeJSON(w, 200, map[string]any{"token": "tok-" + in.Email, "expires_at": farFuture})
}

func (d *testDouble) answerMFA(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MFAToken string `json:"mfa_token"`
		Code     string `json:"code"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeErr(w, 400, "bad_request")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	email, ok := d.mfa[in.MFAToken]
	now := time.Now()
	cur, _ := TOTP(d.accounts[email].secret, now)
	prev, _ := TOTP(d.accounts[email].secret, now.Add(-totpStep))
	if !ok || (in.Code != cur && in.Code != prev) {
		writeErr(w, 401, "unauthenticated")
		return
	}
	d.tokens["tok-"+email] = true
	writeJSON(w, 200, map[string]any{"token": "tok-" + email, "expires_at": farFuture})
}

// guard checks the bearer token, counts the request, waits the delay and answers.
func (d *testDouble) guard(route string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		d.mu.Lock()
		valid := d.tokens[token]
		d.counts[route]++
		d.mu.Unlock()
		if !valid {
			writeErr(w, 401, "unauthenticated")
			return
		}
		if d.deny[route] {
			writeErr(w, 403, "forbidden")
			return
		}
		if d.serial {
			d.once.Lock()
			defer d.once.Unlock()
		}
		time.Sleep(d.delay)
		d.answer(w, r, route)
	})
}

func (d *testDouble) answer(w http.ResponseWriter, r *http.Request, route string) {
	items := func(ids ...string) map[string]any {
		var list []map[string]any
		for _, id := range ids {
			list = append(list, map[string]any{"id": id, "status": "submitted"})
		}
		return map[string]any{"items": list}
	}
	switch route {
	case "GET /api/v1/ivrs/{id}":
		writeJSON(w, 200, map[string]any{"id": r.PathValue("id"), "status": "submitted"})
	case "GET /api/v1/products":
		writeJSON(w, 200, map[string]any{"items": []any{map[string]any{"id": "prod-1",
			"sizes": []any{map[string]any{"label": "2x3 cm", "area_cm2": 6}}}}})
	case "GET /api/v1/patients":
		writeJSON(w, 200, items("pat-1"))
	case "GET /api/v1/facilities":
		writeJSON(w, 200, items("fac-1"))
	case "POST /api/v1/ivrs":
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeErr(w, 400, "bad_request")
			return
		}
		d.mu.Lock()
		d.drafts = append(d.drafts, body)
		d.mu.Unlock()
		writeJSON(w, 201, map[string]any{"id": "new", "status": "draft"})
	default:
		writeJSON(w, 200, items("ivr-a", "ivr-b", "ivr-c"))
	}
}
