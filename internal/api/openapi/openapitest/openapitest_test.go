package openapitest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// recordingTB collects the errors a check reports instead of failing the test.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestClientReportsMismatches(t *testing.T) {
	me := `{"id":"u1","email":"a@b.example","name":"A","role":"doctor",` +
		`"organization_id":"o1","territory_ids":[],"mfa_enabled":true}`
	tests := []struct {
		name, body string
		req        Request
		wantErrors bool
	}{
		{"matching exchange", me, NewRequest("GET", "/api/v1/me", "tok", nil), false},
		{"undeclared response field", me[:len(me)-1] + `,"extra":1}`,
			NewRequest("GET", "/api/v1/me", "tok", nil), true},
		{"wrong response type", `{"id":1}`, NewRequest("GET", "/api/v1/me", "tok", nil), true},
		{"request without credentials", me, NewRequest("GET", "/api/v1/me", "", nil), true},
		{"invalid request marked invalid", me, NewRequest("GET", "/api/v1/me", "", nil, Invalid),
			false},
		{"valid request marked invalid", me, NewRequest("GET", "/api/v1/me", "tok", nil, Invalid),
			true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			c := MustNew(t, srv.URL, srv.Client())
			rec := &recordingTB{TB: t}
			if got := c.Send(rec, tt.req); got.Status != http.StatusOK {
				t.Fatalf("status = %d, want 200", got.Status)
			}
			if got := len(rec.errors) > 0; got != tt.wantErrors {
				t.Errorf("reported errors = %v, want errors: %v", rec.errors, tt.wantErrors)
			}
			if cov := c.Coverage()["GET /api/v1/me"]; len(cov) != 1 || cov[0] != 200 {
				t.Errorf("coverage of GET /api/v1/me = %v, want [200]", cov)
			}
		})
	}
}
