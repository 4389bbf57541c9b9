package phi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// countingKEK is a TEST DOUBLE standing in for a KMS: a real in-memory Tink
// AES-256-GCM key that counts how often it is asked to wrap or unwrap. It lets
// tests prove how many master-key (KMS) calls the keyring makes.
type countingKEK struct {
	inner              tink.AEAD
	encrypts, decrypts atomic.Int64
}

func (c *countingKEK) Encrypt(pt, ad []byte) ([]byte, error) {
	c.encrypts.Add(1)
	return c.inner.Encrypt(pt, ad)
}

func (c *countingKEK) Decrypt(ct, ad []byte) ([]byte, error) {
	c.decrypts.Add(1)
	return c.inner.Decrypt(ct, ad)
}

func MustCountingKEK(tb testing.TB) *countingKEK {
	tb.Helper()
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		tb.Fatal(err)
	}
	a, err := aead.New(h)
	if err != nil {
		tb.Fatal(err)
	}
	return &countingKEK{inner: a}
}

// MustOpen opens a keyring in dir with kek (nil: the local key file).
func MustOpen(tb testing.TB, dir string, kek tink.AEAD) *Keyring {
	tb.Helper()
	k, err := Open(context.Background(), Config{DataDir: dir, KEK: kek, Logger: discard()})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return k
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestOpenLocalKeyFile(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	cfg := Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	k, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "development") {
		t.Errorf("no development warning logged: %q", logs.String())
	}
	for _, p := range []string{LocalKeyFile, "keys/field-aead.json",
		"keys/blind-index-prf.json", "keys/document-streaming.json"} {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatalf("stat %s: %v", p, err)
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s mode = %04o, want 0600", p, got)
		}
	}
	id := FieldID{"patients", "last_name", "r1"}
	ct := MustEncrypt(t, k, "Abernathy", id)

	// A second start reads the same files and decrypts what the first wrote.
	k2 := MustOpen(t, dir, nil)
	if got := MustDecrypt(t, k2, ct, id); got != "Abernathy" {
		t.Errorf("reopened Decrypt = %q, want %q", got, "Abernathy")
	}
}

func TestOpenLocalKeyFileErrors(t *testing.T) {
	t.Run("ErrKeyFileMode", func(t *testing.T) {
		dir := t.TempDir()
		MustOpen(t, dir, nil)
		if err := os.Chmod(filepath.Join(dir, LocalKeyFile), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(context.Background(), Config{DataDir: dir, Logger: discard()})
		if !errors.Is(err, ErrKeyFileMode) || !strings.Contains(err.Error(), "0644") {
			t.Errorf("Open with a 0644 key file: err = %v, want ErrKeyFileMode naming 0644", err)
		}
	})
	t.Run("MissingKeyFile", func(t *testing.T) {
		dir := t.TempDir()
		MustOpen(t, dir, nil)
		if err := os.Remove(filepath.Join(dir, LocalKeyFile)); err != nil {
			t.Fatal(err)
		}
		_, err := Open(context.Background(), Config{DataDir: dir, Logger: discard()})
		if err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("Open without the key file: err = %v, want a 'missing' error", err)
		}
		if _, err := os.Stat(filepath.Join(dir, LocalKeyFile)); err == nil {
			t.Error("a new master key was created over existing keysets")
		}
	})
	t.Run("ErrWrongKey", func(t *testing.T) {
		dir := t.TempDir()
		MustOpen(t, dir, MustCountingKEK(t))
		_, err := Open(context.Background(), Config{DataDir: dir, KEK: MustCountingKEK(t)})
		if !errors.Is(err, ErrWrongKey) {
			t.Errorf("Open with another KEK: err = %v, want ErrWrongKey", err)
		}
	})
	t.Run("BadScheme", func(t *testing.T) {
		_, err := Open(context.Background(), Config{DataDir: t.TempDir(), KMSURI: "gcp-kms://x"})
		if err == nil || !strings.Contains(err.Error(), "IVR_KMS_URI") {
			t.Errorf("err = %v, want an error naming IVR_KMS_URI", err)
		}
	})
	t.Run("NoDataDir", func(t *testing.T) {
		if _, err := Open(context.Background(), Config{}); err == nil {
			t.Error("Open without a data dir succeeded")
		}
	})
}

// TestKEKCalls proves the master key is used once per keyset at start and on
// rotation, and never per field.
func TestKEKCalls(t *testing.T) {
	dir := t.TempDir()
	kek := MustCountingKEK(t)
	MustOpen(t, dir, kek) // first start: three keysets created and wrapped
	if got := [2]int64{kek.encrypts.Load(), kek.decrypts.Load()}; got != [2]int64{3, 0} {
		t.Errorf("first start (wraps, unwraps) = %v, want [3 0]", got)
	}
	kek.encrypts.Store(0)
	k := MustOpen(t, dir, kek)
	if got := [2]int64{kek.encrypts.Load(), kek.decrypts.Load()}; got != [2]int64{0, 3} {
		t.Errorf("second start (wraps, unwraps) = %v, want [0 3]", got)
	}
	for i := range 500 {
		id := FieldID{"patients", "first_name", string(rune('a' + i%26))}
		ct := MustEncrypt(t, k, "Dolores", id)
		MustDecrypt(t, k, ct, id)
		if _, err := k.NameDOBIndex("Abernathy", "Dolores", "1961-04-27"); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Reload(context.Background()); err != nil { // files unchanged
		t.Fatal(err)
	}
	if got := [2]int64{kek.encrypts.Load(), kek.decrypts.Load()}; got != [2]int64{0, 3} {
		t.Errorf("after 500 fields and a no-op reload (wraps, unwraps) = %v, want [0 3]", got)
	}
	if err := k.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := [2]int64{kek.encrypts.Load(), kek.decrypts.Load()}; got != [2]int64{2, 5} {
		t.Errorf("after rotate (wraps, unwraps) = %v, want [2 5]", got)
	}
}
