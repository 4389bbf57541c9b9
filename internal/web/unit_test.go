package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/domain"
)

func TestTemplatesParse(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"error", "home", "ivr", "ivr_new", "login", "mfa", "order", "orders",
		"patient_new"}
	var got []string
	for _, n := range want {
		if _, ok := pages[n]; ok {
			got = append(got, n)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"", 0, false}, {"257", 25700, false}, {"257.5", 25750, false}, {"$1,257.05", 125705, false},
		{".5", 50, false}, {"1.234", 0, true}, {"abc", 0, true}, {"-3", 0, true}, {"1.", 0, true},
		{"12345678901", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseCents(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseCents(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestErrFor(t *testing.T) {
	errs := map[string]string{"products[0].size": "bad size", "products[0].product_id": "no such",
		"wound.length_cm": "too long", "applications": "too many"}
	tests := []struct{ field, want string }{
		{"products", "no such"}, {"wound.length_cm", "too long"}, {"wound", "too long"},
		{"applications", "too many"}, {"frequency", ""}, {"app", ""},
	}
	for _, tt := range tests {
		if got := errFor(errs, tt.field); got != tt.want {
			t.Errorf("errFor(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct{ got, want string }{
		{money(25700), "$257.00"}, {money(5), "$0.05"}, {money(-150), "-$1.50"},
		{label("in_review"), "In review"}, {label(domain.IVRNeedsInfo), "Needs info"},
		{when(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)), "2026-01-02 03:04 UTC"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestCSRFToken(t *testing.T) {
	h := &Handler{csrfKey: []byte("k1")}
	other := &Handler{csrfKey: []byte("k2")}
	if h.token("s1") == h.token("s2") || h.token("s1") == other.token("s1") {
		t.Error("tokens must differ per session and per key")
	}
	if h.token("s1") != h.token("s1") {
		t.Error("a session's token must be stable")
	}
	r := httptest.NewRequest("POST", "/x", strings.NewReader("csrf_token="+h.token("s1")))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if !h.checkCSRF(r, h.token("s1")) {
		t.Error("the right token was refused")
	}
	if h.checkCSRF(r, h.token("s2")) {
		t.Error("another session's token was accepted")
	}
}

// TestErrorPages checks that internal errors show nothing of their cause and
// that not found is one page.
func TestErrorPages(t *testing.T) {
	var logs bytes.Buffer
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{pages: pages, log: slog.New(slog.NewTextHandler(&logs, nil))}
	tests := []struct {
		name   string
		err    error
		status int
		hide   string
	}{
		{"Internal", errInternalForTest, http.StatusInternalServerError, "sqlite"},
		{"NotFound", domain.ErrNotFound, http.StatusNotFound, ""},
		{"Forbidden", domain.ErrForbidden, http.StatusForbidden, ""},
		{"Conflict", domain.Conflict("approve", "draft"), http.StatusConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.renderError(w, httptest.NewRequest("GET", "/", nil), tt.err)
			if w.Code != tt.status {
				t.Errorf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.hide != "" && strings.Contains(w.Body.String(), tt.hide) {
				t.Errorf("the page shows the internal cause")
			}
		})
	}
	if !strings.Contains(logs.String(), "sqlite") {
		t.Error("the internal error was not logged on the server")
	}
}

var errInternalForTest = &testErr{"sqlite: database is locked"}

type testErr struct{ s string }

func (e *testErr) Error() string { return e.s }

// BenchmarkRenderHome renders a home page of 100 IVR rows and a queue of 20.
func BenchmarkRenderHome(b *testing.B) {
	pages, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	h := &Handler{pages: pages, log: slog.New(slog.DiscardHandler)}
	now := time.Now()
	row := ivrRow{ID: "0191d3c2-aaaa-7bbb-8ccc-123456789abc", Reference: "IVR-ABCD1234",
		Status: "submitted", Initials: "A.Q.", Territory: "NY-NJ", Created: now, Submitted: &now,
		Products: []productLine{{Name: "Apligraf (Q4101)", Size: "7.5x7.5 cm", Quantity: 4}}}
	d := homeData{Total: 100, HasQueue: true, Chips: chips(domain.IVRStates, nil, "")}
	for range 100 {
		d.Rows = append(d.Rows, row)
	}
	d.Queue = d.Rows[:20]
	v := view{Title: "IVRs", Role: domain.RoleSpecialist, Full: true, CSRF: "t", Data: d}
	r := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.render(httptest.NewRecorder(), r, http.StatusOK, "home", v)
	}
}
