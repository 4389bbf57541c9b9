package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams is the current password hashing policy: 19 MiB, 2 passes, 1 lane,
// a 16-byte salt and a 32-byte key.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Upper bounds accepted when parsing a stored hash, so that a corrupt or hostile row
// cannot make one verification allocate gigabytes or run for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxSaltLen   = 64
	maxKeyLen    = 128
)

// ErrMalformedHash is returned by Verify when the stored string is not an argon2id
// PHC string this package can check.
var ErrMalformedHash = errors.New("malformed password hash")

// Hasher hashes and verifies passwords with argon2id. At most a fixed number of hashes
// run at once; further callers wait (honouring their context), so that a burst of
// logins costs bounded memory: about Params.Memory times the limit. A Hasher is safe
// for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}

	dummyOnce sync.Once
	dummy     string
	dummyErr  error

	inFlight atomic.Int64
	peak     atomic.Int64
}

// NewHasher returns a Hasher using p, allowing maxConcurrent hashes at once
// (runtime.GOMAXPROCS(0) when maxConcurrent ≤ 0). It returns an error if p is weaker
// than DefaultParams in memory, passes, salt or key length, or out of range.
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("new hasher: %w", err)
	}
	if p.Memory < DefaultParams.Memory || p.Time < DefaultParams.Time ||
		p.SaltLen < DefaultParams.SaltLen || p.KeyLen < DefaultParams.KeyLen {
		return nil, fmt.Errorf("new hasher: parameters below policy m=%d,t=%d",
			DefaultParams.Memory, DefaultParams.Time)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}, nil
}

// MustNewHasher is NewHasher for package-level values and tests; it panics on a
// programming error in p.
func MustNewHasher(p Params, maxConcurrent int) *Hasher {
	h, err := NewHasher(p, maxConcurrent)
	if err != nil {
		panic(err)
	}
	return h
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of password with a fresh random salt. It returns ctx's
// error if ctx ends while waiting for a hashing slot.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key, err := h.derive(ctx, password, salt, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify reports whether password matches the stored PHC string, comparing in constant
// time. needsRehash is true on a match whose stored parameters are weaker than the
// Hasher's, so the caller should store a fresh Hash. A wrong password is (false, false,
// nil); err is ErrMalformedHash (wrapped) for an unreadable phc, or ctx's error.
func (h *Hasher) Verify(ctx context.Context, password, phc string) (ok, needsRehash bool,
	err error) {
	p, salt, want, err := decodePHC(phc)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	got, err := h.derive(ctx, password, salt, p)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, h.weaker(p), nil
}

// DummyVerify spends the time and memory of one Verify with the Hasher's parameters,
// and always fails. Call it when the e-mail is unknown so that the response takes as
// long as for a wrong password. It returns ctx's error only.
func (h *Hasher) DummyVerify(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		// A random key under a random salt: argon2 runs in full and the comparison
		// fails, but nothing needs hashing up front.
		salt, key := make([]byte, h.params.SaltLen), make([]byte, h.params.KeyLen)
		if _, err := rand.Read(salt); err != nil {
			h.dummyErr = err
			return
		}
		if _, err := rand.Read(key); err != nil {
			h.dummyErr = err
			return
		}
		h.dummy = encodePHC(h.params, salt, key)
	})
	if h.dummyErr != nil {
		return fmt.Errorf("dummy verify: %w", h.dummyErr)
	}
	_, _, err := h.Verify(ctx, password, h.dummy)
	return err
}

// derive runs argon2id inside the concurrency limit.
func (h *Hasher) derive(ctx context.Context, password string, salt []byte, p Params) (
	[]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()

	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for {
		old := h.peak.Load()
		if n <= old || h.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// weaker reports whether stored parameters p fall below the Hasher's policy.
func (h *Hasher) weaker(p Params) bool {
	c := h.params
	return p.Memory < c.Memory || p.Time < c.Time || p.Threads < c.Threads ||
		p.SaltLen < c.SaltLen || p.KeyLen < c.KeyLen
}

// check refuses parameters argon2 would panic on or that exceed the sane bounds.
func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2 passes %d out of range 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("argon2 lanes must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("argon2 memory %d KiB out of range", p.Memory)
	case p.SaltLen < 8 || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2 salt length %d out of range 8..%d", p.SaltLen, maxSaltLen)
	case p.KeyLen < 16 || p.KeyLen > maxKeyLen:
		return fmt.Errorf("argon2 key length %d out of range 16..%d", p.KeyLen, maxKeyLen)
	}
	return nil
}

var b64 = base64.RawStdEncoding

// encodePHC formats $argon2id$v=19$m=…,t=…,p=…$salt$key.
func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses a PHC string made by encodePHC (or by another argon2id library
// using the same format) and checks its parameters.
func decodePHC(s string) (Params, []byte, []byte, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: unsupported version", ErrMalformedHash)
	}
	p, err := parsePHCParams(parts[3])
	if err != nil {
		return Params{}, nil, nil, err
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: bad base64", ErrMalformedHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return p, salt, key, nil
}

// parsePHCParams parses "m=19456,t=2,p=1" (exactly these keys, in this order).
func parsePHCParams(s string) (Params, error) {
	var p Params
	fields := strings.Split(s, ",")
	names := []string{"m=", "t=", "p="}
	if len(fields) != len(names) {
		return p, fmt.Errorf("%w: want m, t and p parameters", ErrMalformedHash)
	}
	var vals [3]uint64
	for i, f := range fields {
		num, found := strings.CutPrefix(f, names[i])
		v, err := strconv.ParseUint(num, 10, 32)
		if !found || err != nil {
			return p, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, names[i][:1])
		}
		vals[i] = v
	}
	if vals[2] > 255 {
		return p, fmt.Errorf("%w: too many lanes", ErrMalformedHash)
	}
	p.Memory, p.Time, p.Threads = uint32(vals[0]), uint32(vals[1]), uint8(vals[2])
	return p, nil
}
