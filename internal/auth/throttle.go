package auth

import (
	"container/list"
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LoginThrottle limits password and second-factor guessing. Failures are counted per
// account (the normalised e-mail, known or not) and per client address separately;
// when either has reached the limit within the window, attempts are refused.
//
// The caller calls Check before verifying anything, Failure after a wrong password,
// an unknown e-mail or a wrong code, and Success after a complete login.
// Implementations must be safe for concurrent use. MemoryThrottle is the in-process
// one; deployments with several instances need a shared implementation (database or
// Redis) so that the count is global.
type LoginThrottle interface {
	// Check returns 0 if an attempt for account from addr may proceed, or how long
	// until one may. err is for a failing backend only.
	Check(ctx context.Context, account, addr string) (retryAfter time.Duration, err error)
	// Failure records a failed attempt for both keys.
	Failure(ctx context.Context, account, addr string) error
	// Success clears the account's failures; the address keeps its count.
	Success(ctx context.Context, account string) error
}

// The default throttle settings.
const (
	DefaultThrottleLimit   = 10
	DefaultThrottleWindow  = 15 * time.Minute
	DefaultThrottleMaxKeys = 100_000
)

// ThrottleConfig sets up a MemoryThrottle. Zero fields take the defaults.
type ThrottleConfig struct {
	Limit   int              // failures within Window that lock the key
	Window  time.Duration    // how long a failure counts
	MaxKeys int              // tracked keys per kind (accounts, addresses)
	Now     func() time.Time // the clock; time.Now if nil
}

// MemoryThrottle is a LoginThrottle kept in this process's memory: a sliding window
// of the last Limit failure times per key. A failure counts while less than Window
// has passed since it (it stops counting at exactly Window). When Limit failures
// count, attempts are refused until the oldest of them stops counting; so after a
// lock-out ends, each further failure locks again until the next oldest expires.
//
// Memory is bounded: at most MaxKeys accounts and MaxKeys addresses are tracked;
// keys whose failures all expired are dropped first, then the least recently failed.
// The counts are per process and are lost on restart.
type MemoryThrottle struct {
	cfg      ThrottleConfig
	mu       sync.Mutex
	accounts *failureSet
	addrs    *failureSet
}

var _ LoginThrottle = (*MemoryThrottle)(nil)

// NewMemoryThrottle returns a MemoryThrottle with cfg (defaults for zero fields).
func NewMemoryThrottle(cfg ThrottleConfig) *MemoryThrottle {
	if cfg.Limit <= 0 {
		cfg.Limit = DefaultThrottleLimit
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultThrottleWindow
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultThrottleMaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &MemoryThrottle{cfg: cfg, accounts: newFailureSet(), addrs: newFailureSet()}
}

// Check implements LoginThrottle. It never returns an error.
func (t *MemoryThrottle) Check(_ context.Context, account, addr string) (time.Duration,
	error) {
	now := t.cfg.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	a := t.accounts.retryAfter(NormalizeEmail(account), now, t.cfg)
	b := t.addrs.retryAfter(AddrKey(addr), now, t.cfg)
	return max(a, b), nil
}

// Failure implements LoginThrottle. It never returns an error.
func (t *MemoryThrottle) Failure(_ context.Context, account, addr string) error {
	now := t.cfg.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts.add(NormalizeEmail(account), now, t.cfg)
	t.addrs.add(AddrKey(addr), now, t.cfg)
	return nil
}

// Success implements LoginThrottle. It never returns an error.
func (t *MemoryThrottle) Success(_ context.Context, account string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts.remove(NormalizeEmail(account))
	return nil
}

// Len returns how many accounts and addresses are tracked.
func (t *MemoryThrottle) Len() (accounts, addrs int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accounts.keys), len(t.addrs.keys)
}

// NormalizeEmail returns the throttle key of an e-mail: trimmed and lower-cased.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// AddrKey returns the throttle key of a client address ("ip" or "ip:port"): the IPv4
// address, or the /64 network of an IPv6 address, since one client usually holds a
// whole /64. Anything unparsable is used as given, trimmed.
func AddrKey(addr string) string {
	addr = strings.TrimSpace(addr)
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return addr
		}
		ip = ap.Addr()
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	return netip.PrefixFrom(ip, 64).Masked().String()
}

// failureSet tracks failure times per key, ordered from least to most recently failed.
type failureSet struct {
	keys  map[string]*list.Element
	order *list.List // of *failures
}

type failures struct {
	key   string
	times []time.Time // ascending, at most Limit
}

func newFailureSet() *failureSet {
	return &failureSet{keys: make(map[string]*list.Element), order: list.New()}
}

func (s *failureSet) retryAfter(key string, now time.Time, cfg ThrottleConfig) time.Duration {
	e, ok := s.keys[key]
	if key == "" || !ok {
		return 0
	}
	f := e.Value.(*failures)
	f.prune(now, cfg.Window)
	if len(f.times) == 0 {
		s.remove(key)
	}
	if len(f.times) < cfg.Limit {
		return 0
	}
	return f.times[len(f.times)-cfg.Limit].Add(cfg.Window).Sub(now)
}

func (s *failureSet) add(key string, now time.Time, cfg ThrottleConfig) {
	if key == "" {
		return
	}
	e, ok := s.keys[key]
	if !ok {
		s.makeRoom(now, cfg)
		e = s.order.PushBack(&failures{key: key})
		s.keys[key] = e
	}
	f := e.Value.(*failures)
	f.prune(now, cfg.Window)
	if len(f.times) >= cfg.Limit {
		f.times = append(f.times[:0], f.times[len(f.times)-cfg.Limit+1:]...)
	}
	f.times = append(f.times, now)
	s.order.MoveToBack(e)
}

// makeRoom drops expired keys from the front, then the least recently failed key if
// the set is still full.
func (s *failureSet) makeRoom(now time.Time, cfg ThrottleConfig) {
	if len(s.keys) < cfg.MaxKeys {
		return
	}
	for e := s.order.Front(); e != nil; e = s.order.Front() {
		f := e.Value.(*failures)
		if len(f.times) > 0 && now.Sub(f.times[len(f.times)-1]) < cfg.Window {
			break
		}
		s.remove(f.key)
	}
	if len(s.keys) >= cfg.MaxKeys {
		s.remove(s.order.Front().Value.(*failures).key)
	}
}

func (s *failureSet) remove(key string) {
	if e, ok := s.keys[key]; ok {
		s.order.Remove(e)
		delete(s.keys, key)
	}
}

// prune drops failures that no longer count at now.
func (f *failures) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(f.times) && now.Sub(f.times[i]) >= window {
		i++
	}
	f.times = f.times[i:]
}
