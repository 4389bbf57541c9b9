package eligibility

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// faultyClearinghouse is a test double for fault injection: it fails, stalls,
// flaps or panics on purpose, following a script, and answers with the Simulator
// once the script runs out.
type faultyClearinghouse struct {
	mu     sync.Mutex
	script []func(ctx context.Context) error // one step per attempt
	calls  int
	sim    Simulator
}

func (f *faultyClearinghouse) Name() string { return "faulty-test-double" }

func (f *faultyClearinghouse) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *faultyClearinghouse) Check(ctx context.Context, inq Inquiry) (Result, error) {
	f.mu.Lock()
	f.calls++
	var step func(context.Context) error
	if f.calls <= len(f.script) {
		step = f.script[f.calls-1]
	}
	f.mu.Unlock()
	if step != nil {
		if err := step(ctx); err != nil {
			return Result{}, err
		}
	}
	return f.sim.Check(ctx, inq)
}

func failTemporarily(context.Context) error {
	return temporary("the clearinghouse is unavailable (HTTP 503)", nil)
}

func failPermanently(context.Context) error {
	return permanent("the clearinghouse refused our credentials (HTTP 401)", nil)
}

// stallIgnoringContext blocks for a long time without looking at ctx.
func stallIgnoringContext(context.Context) error { time.Sleep(2 * time.Second); return nil }

// stallUntilDone blocks until ctx ends and reports it as a transport would.
func stallUntilDone(ctx context.Context) error {
	<-ctx.Done()
	return temporary("the clearinghouse could not be reached", ctx.Err())
}

func panicking(context.Context) error { panic("adapter bug") }

func repeat(step func(context.Context) error, n int) []func(context.Context) error {
	out := make([]func(context.Context) error, n)
	for i := range out {
		out[i] = step
	}
	return out
}

// recordingSleep records back-off waits instead of sleeping.
type recordingSleep struct{ waits []time.Duration }

func (r *recordingSleep) sleep(ctx context.Context, d time.Duration) error {
	r.waits = append(r.waits, d)
	return ctx.Err()
}

func TestCheckerRetries(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		script    []func(context.Context) error
		status    Status
		attempts  int
		reason    string
		waits     []time.Duration
		callsWant int
	}{
		{"OK", nil, StatusOK, 1, "", nil, 1},
		{"Flapping", repeat(failTemporarily, 2), StatusOK, 3, "", []time.Duration{50 * ms, 100 * ms}, 3},
		{"Failing", repeat(failTemporarily, 9), StatusFailed, 4,
			"the clearinghouse is unavailable (HTTP 503) (gave up after 4 attempts)",
			[]time.Duration{50 * ms, 100 * ms, 150 * ms}, 4},
		{"Permanent", repeat(failPermanently, 9), StatusFailed, 1,
			"the clearinghouse refused our credentials (HTTP 401)", nil, 1},
		{"SlowIgnoringContext", repeat(stallIgnoringContext, 9), StatusFailed, 4,
			"the clearinghouse did not answer in time (gave up after 4 attempts)",
			[]time.Duration{50 * ms, 100 * ms, 150 * ms}, 4},
		{"SlowThenOK", repeat(stallUntilDone, 1), StatusOK, 2, "", []time.Duration{50 * ms}, 2},
		{"Panicking", repeat(panicking, 9), StatusFailed, 1, "internal error in the clearinghouse adapter", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := &faultyClearinghouse{script: tt.script, sim: Simulator{Now: fixedNow}}
			rec := &recordingSleep{}
			c := &Checker{Clearinghouse: ch, MaxAttempts: 4, BaseDelay: 100 * ms, MaxDelay: 300 * ms,
				AttemptTimeout: 30 * ms, Sleep: rec.sleep, Jitter: func() float64 { return 0 }, Now: fixedNow}
			res := c.Check(context.Background(), testInquiry(SimulatorMemberID(ScenarioActiveMedicareFFS, 2)))
			got := []any{res.Status, res.Attempts, res.Reason, rec.waits, ch.callCount()}
			want := []any{tt.status, tt.attempts, tt.reason, tt.waits, tt.callsWant}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if (res.Summary != nil) != (tt.status == StatusOK) {
				t.Errorf("summary present = %v for status %s", res.Summary != nil, res.Status)
			}
			if res.Clearinghouse != "faulty-test-double" || res.TraceNumber != "TRACE42" {
				t.Errorf("result names %q, trace %q", res.Clearinghouse, res.TraceNumber)
			}
		})
	}
}

func TestCheckerCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := &faultyClearinghouse{script: repeat(failTemporarily, 9)}
	c := &Checker{Clearinghouse: ch, Sleep: func(ctx context.Context, d time.Duration) error {
		cancel() // the caller gives up during the first back-off
		return ctx.Err()
	}}
	res := c.Check(ctx, testInquiry("1EG4TE5MK10"))
	if res.Status != StatusFailed || res.Reason != "the check was canceled" || ch.callCount() != 1 {
		t.Errorf("got %v after %d calls, want canceled after 1", res, ch.callCount())
	}

	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	res = (&Checker{Clearinghouse: &Simulator{}}).Check(ctx2, testInquiry("1EG4TE5MK10"))
	if res.Status != StatusFailed || res.Reason != "the check was canceled" {
		t.Errorf("already-canceled context gave %v", res)
	}
}

func TestCheckerRealSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	c := &Checker{Clearinghouse: &faultyClearinghouse{script: repeat(failTemporarily, 9)},
		BaseDelay: time.Hour, MaxDelay: time.Hour}
	start := time.Now()
	res := c.Check(ctx, testInquiry("1EG4TE5MK10"))
	if res.Status != StatusFailed || time.Since(start) > 10*time.Second {
		t.Errorf("got %v after %v, want a prompt failure", res, time.Since(start))
	}
}

func TestCheckerBadInput(t *testing.T) {
	inq := testInquiry("1EG4TE5MK10")
	inq.Subscriber.LastName = "DOE~"
	tests := []struct {
		name string
		c    *Checker
		inq  Inquiry
		want string
	}{
		{"NoClearinghouse", &Checker{}, testInquiry("1EG4TE5MK10"), "no clearinghouse is configured"},
		{"InvalidName", &Checker{Clearinghouse: &Simulator{}}, inq,
			"the inquiry is incomplete: subscriber.lastName: required, at most 60 plain characters"},
		{"NoPayer", &Checker{Clearinghouse: &Simulator{}}, Inquiry{}, "the inquiry is incomplete: payerId: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.c.Check(context.Background(), tt.inq)
			if res.Status != StatusFailed || res.Reason != tt.want || res.Attempts != 0 {
				t.Errorf("got %v, want failed: %s", res, tt.want)
			}
			if strings.Contains(fmtAll(res), "DOE") {
				t.Errorf("result leaks the name: %s", fmtAll(res))
			}
		})
	}
}

func TestCheckerBackoff(t *testing.T) {
	c := &Checker{BaseDelay: time.Second, MaxDelay: 5 * time.Second}
	for _, tt := range []struct {
		n      int
		jitter float64
		want   time.Duration
	}{
		{1, 0, 500 * time.Millisecond}, {1, 0.5, 750 * time.Millisecond}, {2, 0, time.Second},
		{3, 0, 2 * time.Second}, {4, 0.999, 4998 * time.Millisecond}, {10, 0, 2500 * time.Millisecond},
	} {
		c.Jitter = func() float64 { return tt.jitter }
		if got := c.backoff(tt.n).Round(time.Millisecond); got != tt.want {
			t.Errorf("backoff(%d) with jitter %v = %v, want %v", tt.n, tt.jitter, got, tt.want)
		}
	}
}

func TestInquiryAndResultRedact(t *testing.T) {
	inq := testInquiry("1EG4TE5MK10")
	res := (&Checker{Clearinghouse: &Simulator{Now: fixedNow}}).Check(context.Background(), inq)
	for _, s := range []string{fmtAll(inq), fmtAll(&inq), fmtAll(inq.LogValue()), fmtAll(res), fmtAll(res.LogValue())} {
		for _, phi := range []string{"DOE", "JANE", "1EG4TE5MK10", "1945"} {
			if strings.Contains(s, phi) {
				t.Errorf("%q leaked: %s", phi, s)
			}
		}
	}
	if !errors.Is(permanent("x", context.Canceled), context.Canceled) {
		t.Error("*Error does not unwrap its cause")
	}
}
