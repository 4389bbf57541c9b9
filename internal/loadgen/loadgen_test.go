package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func tokenOpts(url, scenario string, rate float64, d time.Duration) Options {
	return Options{BaseURL: url, Scenario: scenario, Rate: rate, Duration: d,
		Credentials: Credentials{Token: "static-token"}}
}

// MustRun runs the generator and fails the test on error.
func MustRun(tb testing.TB, opts Options) Report {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rep, err := Run(ctx, opts, nil)
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return rep
}

// TestOpenLoop: answers take 50 ms, yet the schedule of 100 req/s for 1 s sends all
// 100 requests; a closed loop with one worker would have sent 20.
func TestOpenLoop(t *testing.T) {
	d := &testDouble{delay: 50 * time.Millisecond}
	srv := MustTestDouble(t, d)
	rep := MustRun(t, tokenOpts(srv.URL, "read", 100, time.Second))

	if rep.Issued != 100 || rep.Dropped != 0 {
		t.Errorf("issued %d, dropped %d; want 100, 0", rep.Issued, rep.Dropped)
	}
	served := d.count("GET /api/v1/ivrs") + d.count("GET /api/v1/ivrs/{id}")
	if served != 101 { // 100 plus the scenario's set-up page
		t.Errorf("server saw %d requests, want 101", served)
	}
	if rep.OK != 100 || len(rep.Errors) != 0 {
		t.Errorf("ok %d, errors %v; want 100, none", rep.OK, rep.Errors)
	}
	if rep.Latency.P50 < 50*time.Millisecond || rep.Latency.Min < 50*time.Millisecond {
		t.Errorf("latency min %v p50 %v; want at least the server's 50ms",
			rep.Latency.Min, rep.Latency.P50)
	}
	// A closed loop of one client would need 100 × 50 ms = 5 s; the open schedule
	// takes 1 s, and the bound leaves room for a busy machine.
	if rep.Window > 2500*time.Millisecond {
		t.Errorf("requests were started over %v, want about 1s", rep.Window)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	t.Logf("report:\n%s", table.String())
}

// TestLatencyIncludesQueueing: a server that answers one request at a time in 50 ms
// cannot keep up with 40 req/s; the requests wait in its queue and the reported
// latency, counted from when each request was due, shows the wait.
func TestLatencyIncludesQueueing(t *testing.T) {
	d := &testDouble{delay: 50 * time.Millisecond, serial: true}
	srv := MustTestDouble(t, d)
	rep := MustRun(t, tokenOpts(srv.URL, "queue", 40, 500*time.Millisecond))

	if rep.Issued != 20 {
		t.Errorf("issued %d, want 20", rep.Issued)
	}
	// The 20th request, due at 475 ms, cannot end before 20 × 50 ms = 1 s.
	if rep.Latency.Max < 500*time.Millisecond {
		t.Errorf("max latency %v, want at least 500ms of queueing", rep.Latency.Max)
	}
	if rep.Latency.P90 < 3*rep.Latency.Min {
		t.Errorf("p90 %v not well above min %v: queueing not counted",
			rep.Latency.P90, rep.Latency.Min)
	}
}

// TestDropped: with two requests allowed in flight and answers slower than the
// window, every later request is dropped, not delayed.
func TestDropped(t *testing.T) {
	d := &testDouble{delay: 600 * time.Millisecond}
	srv := MustTestDouble(t, d)
	opts := tokenOpts(srv.URL, "queue", 100, 300*time.Millisecond)
	opts.MaxInFlight = 2
	rep := MustRun(t, opts)

	got := [3]int64{rep.Issued, rep.Dropped, rep.Completed}
	if diff := cmp.Diff([3]int64{2, 28, 2}, got); diff != "" {
		t.Errorf("issued, dropped, completed (-want +got):\n%s", diff)
	}
}

func TestMixed(t *testing.T) {
	d := &testDouble{}
	srv := MustTestDouble(t, d)
	rep := MustRun(t, tokenOpts(srv.URL, "mixed", 100, 500*time.Millisecond))

	if n := d.count("POST /api/v1/ivrs"); n != 10 {
		t.Errorf("drafts posted %d, want 10 of 50", n)
	}
	if rep.OK != 50 {
		t.Errorf("ok %d, want 50; errors %v", rep.OK, rep.Errors)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.drafts) == 0 {
		t.Fatal("no draft body reached the server")
	}
	got := d.drafts[0]
	want := map[string]any{"patient_id": "pat-1", "facility_id": "fac-1",
		"products": []any{map[string]any{"product_id": "prod-1", "size": "2x3 cm",
			"quantity": float64(4)}}}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("draft %s (-want +got):\n%s", k, diff)
		}
	}
}

func TestSetupRefused(t *testing.T) {
	d := &testDouble{deny: map[string]bool{"GET /api/v1/queue": true}}
	srv := MustTestDouble(t, d)
	_, err := Run(context.Background(), tokenOpts(srv.URL, "queue", 10, time.Second), nil)
	if err == nil || !strings.Contains(err.Error(), "403 forbidden") {
		t.Errorf("Run error = %v, want the set-up's 403 forbidden", err)
	}
}

func TestLogin(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXP"
	tests := []struct {
		name    string
		cr      Credentials
		wantErr string
	}{
		{"OK", Credentials{Email: "plain@example.com", Password: "pw-1"}, ""},
		{"MFA", Credentials{Email: "mfa@example.com", Password: "pw-2", TOTPSecret: secret}, ""},
		{"ErrWrongPassword", Credentials{Email: "plain@example.com", Password: "x"},
			"401 unauthenticated"},
		{"ErrNoSecret", Credentials{Email: "mfa@example.com", Password: "pw-2"},
			"requires MFA"},
		{"ErrWrongSecret", Credentials{Email: "mfa@example.com", Password: "pw-2",
			TOTPSecret: "GEZDGNBVGY3TQOJQ"}, "login mfa"},
	}
	d := &testDouble{accounts: map[string]testAccount{
		"plain@example.com": {password: "pw-1"},
		"mfa@example.com":   {password: "pw-2", secret: secret}}}
	srv := MustTestDouble(t, d)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{BaseURL: srv.URL, Scenario: "queue", Rate: 20,
				Duration: 100 * time.Millisecond, Credentials: tt.cr}
			rep, err := Run(context.Background(), opts, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || rep.OK != 2 {
				t.Errorf("Run = ok %d, %v; want 2 answers, no error", rep.OK, err)
			}
		})
	}
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		url         string
		allowRemote bool
		want        error // nil, ErrNotLoopback, or errOther
	}{
		{"http://127.0.0.1:8080", false, nil},
		{"http://127.9.8.7", false, nil},
		{"http://[::1]:8080/", false, nil},
		{"https://localhost:8443", false, nil},
		{"http://LOCALHOST", false, nil},
		{"http://10.0.0.1:8080", false, ErrNotLoopback},
		{"http://0.0.0.0:8080", false, ErrNotLoopback},
		{"http://[::2]", false, ErrNotLoopback},
		{"http://example.com", false, ErrNotLoopback},
		{"http://localhost.example.com", false, ErrNotLoopback},
		{"http://127.0.0.1.nip.io", false, ErrNotLoopback},
		{"http://example.com", true, nil},
		{"ftp://127.0.0.1", false, errOther},
		{"127.0.0.1:8080", false, errOther},
		{"http://", false, errOther},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := checkTarget(tt.url, tt.allowRemote)
			switch {
			case tt.want == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.want == ErrNotLoopback && !errors.Is(err, ErrNotLoopback):
				t.Errorf("error %v, want ErrNotLoopback", err)
			case tt.want == errOther && (err == nil || errors.Is(err, ErrNotLoopback)):
				t.Errorf("error %v, want a url error", err)
			}
		})
	}
}

var errOther = errors.New("other")

// TestRunRefusesRemote checks the refusal happens before anything is sent.
func TestRunRefusesRemote(t *testing.T) {
	opts := tokenOpts("http://192.0.2.10:8080", "read", 10, time.Second)
	_, err := Run(context.Background(), opts, nil)
	if !errors.Is(err, ErrNotLoopback) {
		t.Errorf("Run error = %v, want ErrNotLoopback", err)
	}
}

func TestCommand(t *testing.T) {
	d := &testDouble{accounts: map[string]testAccount{
		"spec@example.com": {password: "pw-3", secret: "JBSWY3DPEHPK3PXP"}}}
	srv := MustTestDouble(t, d)
	accounts := filepath.Join(t.TempDir(), "demo-accounts.json")
	raw := `[{"email":"doc@example.com","password":"x","role":"doctor"},
	 {"email":"spec@example.com","password":"pw-3","role":"ivr_specialist",
	  "totp_secret":"JBSWY3DPEHPK3PXP","name":"ignored"}]`
	if err := os.WriteFile(accounts, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{"OK", []string{"--url", srv.URL, "--accounts", accounts, "--role", "ivr_specialist",
			"--scenario", "queue", "--rate", "20", "--duration", "100ms", "--json"}, 0},
		{"UnknownFlag", []string{"--speed", "3"}, 2},
		{"ZeroRate", []string{"--token", "t", "--rate", "0"}, 2},
		{"BadScenario", []string{"--token", "t", "--scenario", "write"}, 2},
		{"NoCredentials", []string{"--url", srv.URL}, 2},
		{"Remote", []string{"--token", "t", "--url", "http://192.0.2.1"}, 2},
		{"NoRole", []string{"--accounts", accounts, "--role", "logistics"}, 2},
		{"ExtraArgument", []string{"--token", "t", "now"}, 2},
		{"LoginFails", []string{"--url", srv.URL, "--email", "spec@example.com",
			"--password", "wrong", "--duration", "100ms"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := Command(context.Background(), tt.args, &stdout, &stderr)
			if got != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", got, tt.wantCode, stderr.String())
			}
			if tt.wantCode == 0 {
				var rep map[string]any
				if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
					t.Fatalf("stdout is not JSON: %v", err)
				}
				if rep["ok"] != float64(2) {
					t.Errorf("ok = %v, want 2", rep["ok"])
				}
			}
		})
	}
}

func TestCredentialsRedacted(t *testing.T) {
	cr := Credentials{Email: "who@example.com", Password: "hunter22", TOTPSecret: "JBSW"}
	for _, s := range []string{cr.String(), cr.GoString()} {
		for _, secret := range []string{"who@", "hunter22", "JBSW"} {
			if strings.Contains(s, secret) {
				t.Errorf("%q shows %q", s, secret)
			}
		}
	}
}

// BenchmarkSelfLoad runs the generator for one second per iteration against the test
// double answering at once, so the figures are the generator's and the loopback
// stack's own cost on this machine, not the platform's.
func BenchmarkSelfLoad(b *testing.B) {
	for _, rate := range []float64{1000, 4000} {
		b.Run(strconv.Itoa(int(rate)), func(b *testing.B) {
			srv := MustTestDouble(b, &testDouble{})
			var rep Report
			for b.Loop() {
				rep = MustRun(b, tokenOpts(srv.URL, "read", rate, time.Second))
			}
			b.ReportMetric(rep.AchievedRate, "req/s")
			b.ReportMetric(float64(rep.Dropped), "dropped")
			b.ReportMetric(float64(len(rep.Errors)), "error-kinds")
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			b.ReportMetric(ms(rep.Latency.P50), "p50-ms")
			b.ReportMetric(ms(rep.Latency.P99), "p99-ms")
			b.ReportMetric(ms(rep.Latency.P999), "p99.9-ms")
			b.ReportMetric(ms(rep.Latency.Max), "max-ms")
		})
	}
}

// TestInterrupted: ending ctx mid-run stops the schedule and returns what was done.
func TestInterrupted(t *testing.T) {
	srv := MustTestDouble(t, &testDouble{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := Run(ctx, tokenOpts(srv.URL, "queue", 50, time.Minute), nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want the deadline", err)
	}
	if rep.Issued == 0 || rep.Issued > 50 {
		t.Errorf("issued %d, want some, far fewer than a minute's 3000", rep.Issued)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Run took %v after its context ended", d)
	}
}
