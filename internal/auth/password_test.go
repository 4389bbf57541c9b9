package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// MustHasher returns a Hasher with DefaultParams and the given limit.
func MustHasher(tb testing.TB, limit int) *Hasher {
	tb.Helper()
	h, err := NewHasher(DefaultParams, limit)
	if err != nil {
		tb.Fatalf("NewHasher: %v", err)
	}
	return h
}

// mustPHC hashes password with arbitrary parameters, bypassing the policy floor.
func mustPHC(tb testing.TB, password string, p Params) string {
	tb.Helper()
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		tb.Fatal(err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key)
}

var phcPattern = regexp.MustCompile(
	`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := MustHasher(t, 0)
	const pw = "correct horse battery"
	phc, err := h.Hash(ctx, pw)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	if !phcPattern.MatchString(phc) {
		t.Errorf("Hash = %q, not the PHC format", phc)
	}
	phc2, _ := h.Hash(ctx, pw)
	if phc2 == phc {
		t.Error("two hashes of the same password are equal: salt not random")
	}
	tests := []struct {
		name     string
		password string
		wantOK   bool
	}{
		{"OK", pw, true},
		{"Wrong", "correct horse battery!", false},
		{"Case", "Correct horse battery", false},
		{"Empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(ctx, tt.password, phc)
			if err != nil || ok != tt.wantOK || rehash {
				t.Errorf("Verify = %v, %v, %v; want %v, false, nil", ok, rehash, err, tt.wantOK)
			}
		})
	}
}

func TestVerifyNeedsRehash(t *testing.T) {
	ctx := context.Background()
	h := MustHasher(t, 0)
	tests := []struct {
		name string
		p    Params
		want bool
	}{
		{"Current", DefaultParams, false},
		{"LessMemory", Params{Memory: 8192, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"FewerPasses", Params{Memory: 19456, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"ShortSalt", Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 32}, true},
		{"ShortKey", Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, true},
		{"Stronger", Params{Memory: 32768, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phc := mustPHC(t, "pw", tt.p)
			ok, rehash, err := h.Verify(ctx, "pw", phc)
			if err != nil || !ok || rehash != tt.want {
				t.Errorf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.want)
			}
			ok, rehash, _ = h.Verify(ctx, "other", phc)
			if ok || rehash {
				t.Errorf("Verify(wrong) = %v, %v; want false, false", ok, rehash)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := map[string]string{
		"Empty":        "",
		"Bcrypt":       "$2b$12$abcdefghijklmnopqrstuv",
		"Argon2i":      "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"OldVersion":   "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"NoVersion":    "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key,
		"ZeroPasses":   "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"ZeroLanes":    "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"HugeMemory":   "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key,
		"ManyLanes":    "$argon2id$v=19$m=19456,t=2,p=300$" + salt + "$" + key,
		"Reordered":    "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key,
		"NegativeMem":  "$argon2id$v=19$m=-1,t=2,p=1$" + salt + "$" + key,
		"BadSalt":      "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"PaddedKey":    "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "=",
		"ShortSalt":    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key,
		"NoKey":        "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",
		"TrailingPart": "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$x",
	}
	h := MustHasher(t, 0)
	for name, phc := range tests {
		t.Run(name, func(t *testing.T) {
			ok, _, err := h.Verify(context.Background(), "pw", phc)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("Verify(%q) = %v, %v; want ErrMalformedHash", phc, ok, err)
			}
		})
	}
}

func TestMustNewHasher(t *testing.T) {
	if got := MustNewHasher(DefaultParams, 3).Params(); got != DefaultParams {
		t.Errorf("Params = %+v, want %+v", got, DefaultParams)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustNewHasher with weak parameters did not panic")
		}
	}()
	MustNewHasher(Params{}, 1)
}

func TestNewHasherRejects(t *testing.T) {
	tests := map[string]Params{
		"LowMemory": {Memory: 8192, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		"OnePass":   {Memory: 19456, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		"NoLanes":   {Memory: 19456, Time: 2, Threads: 0, SaltLen: 16, KeyLen: 32},
		"ShortSalt": {Memory: 19456, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 32},
		"Zero":      {},
	}
	for name, p := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := NewHasher(p, 1); err == nil {
				t.Errorf("NewHasher(%+v) succeeded, want error", p)
			}
		})
	}
}

func TestHasherConcurrencyLimit(t *testing.T) {
	const limit, workers = 2, 8
	h := MustHasher(t, limit)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			_, err := h.Hash(ctx, "concurrent password")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Hash: %v", err)
		}
	}
	if got := h.peak.Load(); got < 1 || got > limit {
		t.Errorf("peak concurrent hashes = %d, want 1..%d", got, limit)
	}
	if got := h.inFlight.Load(); got != 0 {
		t.Errorf("in flight after all done = %d, want 0", got)
	}
}

func TestHasherWaitHonoursContext(t *testing.T) {
	h := MustHasher(t, 1)
	h.sem <- struct{}{} // occupy the only slot
	defer func() { <-h.sem }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash while full = %v, want DeadlineExceeded", err)
	}
	phc := mustPHC(t, "pw", DefaultParams)
	if _, _, err := h.Verify(ctx, "pw", phc); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify while full = %v, want DeadlineExceeded", err)
	}
	if got := h.peak.Load(); got != 0 {
		t.Errorf("a hash ran while the slot was taken: peak %d", got)
	}
}

func TestDummyVerify(t *testing.T) {
	h := MustHasher(t, 1)
	for _, pw := range []string{"anything", "not a password: dummy", ""} {
		if err := h.DummyVerify(context.Background(), pw); err != nil {
			t.Fatalf("DummyVerify: %v", err)
		}
	}
	if got := h.peak.Load(); got != 1 {
		t.Errorf("DummyVerify ran %d hashes at once, want 1 (it must do real work)", got)
	}
	p, _, _, err := decodePHC(h.dummy)
	if err != nil || p != DefaultParams {
		t.Errorf("dummy hash parameters = %+v, %v; want the Hasher's", p, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.DummyVerify(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("DummyVerify(cancelled) = %v, want Canceled", err)
	}
}

func TestHashCancelledContext(t *testing.T) {
	h := MustHasher(t, 4) // free slots: the cancelled context must still win
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 20 {
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Hash(cancelled) = %v, want Canceled", err)
		}
	}
}
