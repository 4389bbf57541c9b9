package auth

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// MustThrottle returns a default-sized MemoryThrottle on a fake clock.
func MustThrottle(tb testing.TB, start time.Time, maxKeys int) (*MemoryThrottle, *fakeClock) {
	tb.Helper()
	clock := &fakeClock{now: start}
	return NewMemoryThrottle(ThrottleConfig{MaxKeys: maxKeys, Now: clock.Now}), clock
}

func mustCheck(tb testing.TB, th LoginThrottle, account, addr string) time.Duration {
	tb.Helper()
	d, err := th.Check(context.Background(), account, addr)
	if err != nil {
		tb.Fatalf("Check: %v", err)
	}
	return d
}

func mustFail(tb testing.TB, th LoginThrottle, account, addr string) {
	tb.Helper()
	if err := th.Failure(context.Background(), account, addr); err != nil {
		tb.Fatalf("Failure: %v", err)
	}
}

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

func TestThrottleWindow(t *testing.T) {
	const window = 15 * time.Minute
	sec := time.Second
	// Ten failures one minute apart, from t0 to t0+9m; the first stops counting at
	// t0+15m exactly.
	tests := []struct {
		name string
		at   time.Time
		want time.Duration
	}{
		{"RightAfterTenth", t0.Add(9 * time.Minute), 6 * time.Minute},
		{"OneSecondBeforeFirstExpires", t0.Add(window - sec), sec},
		{"FirstExpiresExactly", t0.Add(window), 0},
		{"OneSecondAfter", t0.Add(window + sec), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, clock := MustThrottle(t, t0, 0)
			for i := range 10 {
				if d := mustCheck(t, th, "ann@example.com", "192.0.2.1"); d != 0 {
					t.Fatalf("attempt %d refused (%v) before the limit", i+1, d)
				}
				clock.Set(t0.Add(time.Duration(i) * time.Minute))
				mustFail(t, th, "ann@example.com", "192.0.2.1")
			}
			clock.Set(tt.at)
			if got := mustCheck(t, th, "ann@example.com", "192.0.2.1"); got != tt.want {
				t.Errorf("retry after = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestThrottleNineAllowed(t *testing.T) {
	th, _ := MustThrottle(t, t0, 0)
	for range 9 {
		mustFail(t, th, "ann@example.com", "192.0.2.1")
	}
	if d := mustCheck(t, th, "ann@example.com", "192.0.2.1"); d != 0 {
		t.Errorf("after 9 failures retry after = %v, want 0", d)
	}
	mustFail(t, th, "ann@example.com", "192.0.2.1")
	if d := mustCheck(t, th, "ann@example.com", "192.0.2.1"); d != 15*time.Minute {
		t.Errorf("after 10 failures retry after = %v, want 15m", d)
	}
}

func TestThrottleSlidingRelock(t *testing.T) {
	th, clock := MustThrottle(t, t0, 0)
	for i := range 10 {
		clock.Set(t0.Add(time.Duration(i) * time.Minute))
		mustFail(t, th, "ann@example.com", "")
	}
	clock.Set(t0.Add(15 * time.Minute)) // first failure expired: one attempt allowed
	if d := mustCheck(t, th, "ann@example.com", ""); d != 0 {
		t.Fatalf("retry after = %v, want 0", d)
	}
	mustFail(t, th, "ann@example.com", "")
	// Locked again until the second failure (t0+1m) expires at t0+16m.
	if d := mustCheck(t, th, "ann@example.com", ""); d != time.Minute {
		t.Errorf("retry after = %v, want 1m", d)
	}
}

func TestThrottleKeysSeparate(t *testing.T) {
	th, _ := MustThrottle(t, t0, 0)
	// One address tries ten accounts: the address is locked, the accounts are not.
	for i := range 10 {
		mustFail(t, th, fmt.Sprintf("user%d@example.com", i), "192.0.2.1")
	}
	tests := []struct {
		name, account, addr string
		locked              bool
	}{
		{"SameAddrNewAccount", "new@example.com", "192.0.2.1", true},
		{"SameAddrWithPort", "new@example.com", "192.0.2.1:51234", true},
		{"SameAddrMapped", "new@example.com", "::ffff:192.0.2.1", true},
		{"OtherAddrTriedAccount", "user3@example.com", "192.0.2.2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := mustCheck(t, th, tt.account, tt.addr)
			if (d > 0) != tt.locked {
				t.Errorf("retry after = %v, want locked=%v", d, tt.locked)
			}
		})
	}
}

func TestThrottleAccountNormalisedAndSuccess(t *testing.T) {
	th, _ := MustThrottle(t, t0, 0)
	for i := range 10 {
		// Different addresses, same account in various spellings.
		mustFail(t, th, " Ann@Example.COM ", fmt.Sprintf("198.51.100.%d", i))
	}
	if d := mustCheck(t, th, "ann@example.com", "203.0.113.9"); d == 0 {
		t.Fatal("account not locked after 10 failures from different addresses")
	}
	if err := th.Success(context.Background(), "ANN@example.com"); err != nil {
		t.Fatal(err)
	}
	if d := mustCheck(t, th, "ann@example.com", "203.0.113.9"); d != 0 {
		t.Errorf("after success retry after = %v, want 0", d)
	}
}

func TestThrottleIPv6Prefix(t *testing.T) {
	th, _ := MustThrottle(t, t0, 0)
	for i := range 10 {
		mustFail(t, th, "", fmt.Sprintf("[2001:db8:1:2::%x]:443", i+1))
	}
	if d := mustCheck(t, th, "", "2001:db8:1:2:ffff::1"); d == 0 {
		t.Error("same /64 not locked")
	}
	if d := mustCheck(t, th, "", "2001:db8:1:3::1"); d != 0 {
		t.Error("other /64 locked")
	}
}

func TestAddrKey(t *testing.T) {
	tests := map[string]string{
		"192.0.2.1":              "192.0.2.1",
		" 192.0.2.1:8080 ":       "192.0.2.1",
		"::ffff:192.0.2.1":       "192.0.2.1",
		"2001:db8::1":            "2001:db8::/64",
		"[2001:db8::1%eth0]:443": "2001:db8::/64",
		"fe80::1%eth0":           "fe80::/64",
		"not an address":         "not an address",
		"":                       "",
	}
	for in, want := range tests {
		if got := AddrKey(in); got != want {
			t.Errorf("AddrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th, clock := MustThrottle(t, t0, 100)
	// An old failure for a victim, then a flood of fresh keys.
	mustFail(t, th, "victim@example.com", "192.0.2.200")
	for i := range 1000 {
		clock.Set(t0.Add(time.Duration(i) * time.Millisecond))
		mustFail(t, th, fmt.Sprintf("u%d@example.com", i), fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	accounts, addrs := th.Len()
	if accounts > 100 || addrs > 100 {
		t.Errorf("tracking %d accounts, %d addresses; cap is 100", accounts, addrs)
	}
	// Expired keys are swept before live ones are evicted.
	clock.Set(t0.Add(time.Hour))
	mustFail(t, th, "late@example.com", "192.0.2.99")
	if accounts, _ := th.Len(); accounts != 1 {
		t.Errorf("after the window, %d accounts tracked, want only the new one", accounts)
	}
}

func TestThrottleEvictsLeastRecent(t *testing.T) {
	th, clock := MustThrottle(t, t0, 3)
	for i, acct := range []string{"a@x.test", "b@x.test", "c@x.test"} {
		clock.Set(t0.Add(time.Duration(i) * time.Second))
		for range 10 {
			mustFail(t, th, acct, "")
		}
	}
	clock.Set(t0.Add(10 * time.Second))
	for range 10 {
		mustFail(t, th, "a@x.test", "") // a is now the most recent
	}
	mustFail(t, th, "d@x.test", "") // evicts b
	for acct, locked := range map[string]bool{"a@x.test": true, "b@x.test": false,
		"c@x.test": true, "d@x.test": false} {
		if d := mustCheck(t, th, acct, ""); (d > 0) != locked {
			t.Errorf("%s: retry after %v, want locked=%v", acct, d, locked)
		}
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th, clock := MustThrottle(t, t0, 50)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				acct := fmt.Sprintf("u%d@example.com", (g*200+i)%80)
				_, _ = th.Check(context.Background(), acct, "192.0.2.1")
				_ = th.Failure(context.Background(), acct, fmt.Sprintf("10.0.0.%d", i%60))
				if i%7 == 0 {
					_ = th.Success(context.Background(), acct)
				}
				if i%50 == 0 {
					clock.Set(t0.Add(time.Duration(i) * time.Second))
				}
			}
		})
	}
	wg.Wait()
	if a, b := th.Len(); a > 50 || b > 50 {
		t.Errorf("tracking %d accounts, %d addresses; cap is 50", a, b)
	}
	if d := mustCheck(t, th, "", "192.0.2.1"); d != 0 {
		t.Error("Check alone counted as a failure")
	}
}
