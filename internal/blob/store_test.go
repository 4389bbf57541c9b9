package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/blob"
	"github.com/openivr/ivr/internal/phi"
)

func MustFileStore(tb testing.TB, dir string) *blob.FileStore {
	tb.Helper()
	s, err := blob.NewFileStore(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func MustKeyring(tb testing.TB) *phi.Keyring {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	k, err := phi.Open(context.Background(), phi.Config{DataDir: tb.TempDir(), Logger: log})
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func MustPut(tb testing.TB, s blob.Store, key string, b []byte) {
	tb.Helper()
	n, err := s.Put(context.Background(), key, bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("Put(%q): %v", key, err)
	}
	if n != int64(len(b)) {
		tb.Fatalf("Put(%q) = %d bytes, want %d", key, n, len(b))
	}
}

func MustGet(tb testing.TB, s blob.Store, key string) []byte {
	tb.Helper()
	rc, err := s.Get(context.Background(), key)
	if err != nil {
		tb.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		tb.Fatalf("read %q: %v", key, err)
	}
	return b
}

// testStore is the behaviour every Store must show.
func testStore(t *testing.T, newStore func(t *testing.T) blob.Store) {
	ctx := context.Background()
	t.Run("RoundTrip", func(t *testing.T) {
		s := newStore(t)
		for key, body := range map[string][]byte{
			"a": nil, "documents/0190b8e2/photo.jpg": bytes.Repeat([]byte{7}, 3<<20),
		} {
			MustPut(t, s, key, body)
			if diff := cmp.Diff(len(body), len(MustGet(t, s, key))); diff != "" {
				t.Errorf("Get(%q) length (-want +got):\n%s", key, diff)
			}
		}
	})
	t.Run("Replace", func(t *testing.T) {
		s := newStore(t)
		MustPut(t, s, "k", []byte("one"))
		MustPut(t, s, "k", []byte("two"))
		if got := string(MustGet(t, s, "k")); got != "two" {
			t.Errorf("Get after replace = %q, want %q", got, "two")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "missing/key"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Get missing: err = %v, want ErrNotFound", err)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		MustPut(t, s, "d/x", []byte("x"))
		if err := s.Delete(ctx, "d/x"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "d/x"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "d/x"); err != nil {
			t.Errorf("second Delete: %v", err)
		}
	})
	t.Run("FailingSourceStoresNothing", func(t *testing.T) {
		s := newStore(t)
		MustPut(t, s, "k", []byte("old"))
		r := blob.LimitReader(bytes.NewReader(make([]byte, 5000)), 1000)
		_, err := s.Put(ctx, "k", r)
		var tooLarge *blob.TooLargeError
		if !errors.As(err, &tooLarge) {
			t.Fatalf("Put over the limit: err = %v, want *TooLargeError", err)
		}
		if got := string(MustGet(t, s, "k")); got != "old" {
			t.Errorf("after a failed Put, Get = %q, want the old object", got)
		}
	})
	t.Run("ErrInvalidKey", func(t *testing.T) {
		s := newStore(t)
		for _, key := range badKeys {
			if _, err := s.Put(ctx, key, strings.NewReader("x")); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Put(%q): err = %v, want ErrInvalidKey", key, err)
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, blob.ErrInvalidKey) {
				t.Errorf("Get(%q): err = %v, want ErrInvalidKey", key, err)
			}
		}
	})
}

var badKeys = []string{
	"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", "a/", ".hidden",
	"a\\b", "a b", "ü", "a\x00b", strings.Repeat("a", 129), strings.Repeat("a/", 300) + "a",
}

func TestFileStore(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store { return MustFileStore(t, t.TempDir()) })
}

func TestEncryptedFileStore(t *testing.T) {
	testStore(t, func(t *testing.T) blob.Store {
		return blob.NewEncryptedStore(MustFileStore(t, t.TempDir()), MustKeyring(t))
	})
}

func TestFileStoreLayout(t *testing.T) {
	dir := t.TempDir()
	s := MustFileStore(t, dir)
	MustPut(t, s, "documents/p1/card.png", []byte("png"))
	fi, err := os.Stat(filepath.Join(dir, "documents", "p1", "card.png"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %04o, want 0600", got)
	}
	// No temporary files are left behind, even after a failed Put.
	_, _ = s.Put(context.Background(), "documents/p1/x", blob.LimitReader(
		bytes.NewReader(make([]byte, 10)), 5))
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(context.Background(), "documents/p1"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get of a directory: err = %v, want ErrNotFound", err)
	}
}

// TestEncryptedStoreOnDisk checks that only ciphertext reaches the disk and that
// a ciphertext moved to another key does not decrypt.
func TestEncryptedStoreOnDisk(t *testing.T) {
	dir := t.TempDir()
	plain := MustFileStore(t, dir)
	s := blob.NewEncryptedStore(plain, MustKeyring(t))
	secret := []byte("%PDF-1.7 Patient: Dolores Abernathy, DOB 1961-04-27")
	MustPut(t, s, "docs/a", secret)
	raw := MustGet(t, plain, "docs/a")
	if bytes.Contains(raw, []byte("Abernathy")) || bytes.Contains(raw, []byte("%PDF")) {
		t.Error("plaintext found in the stored file")
	}
	if got := MustGet(t, s, "docs/a"); !bytes.Equal(got, secret) {
		t.Errorf("decrypted = %q, want %q", got, secret)
	}
	MustPut(t, plain, "docs/b", raw) // copy the ciphertext under another key
	rc, err := s.Get(context.Background(), "docs/b")
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if err == nil {
		t.Error("a ciphertext moved to another key decrypted")
	}
}
