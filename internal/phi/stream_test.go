package phi

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"testing"
)

func MustEncryptStream(tb testing.TB, k *Keyring, pt, aad []byte) []byte {
	tb.Helper()
	ct, err := encryptStream(k, pt, aad)
	if err != nil {
		tb.Fatal(err)
	}
	return ct
}

func encryptStream(k *Keyring, pt, aad []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := k.EncryptStream(&buf, aad)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(pt); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decryptStream(k *Keyring, ct, aad []byte) ([]byte, error) {
	r, err := k.DecryptStream(bytes.NewReader(ct), aad)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func TestStreamRoundTrip(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	for _, n := range []int{0, 1, 4096, 1<<20 - 1, 1 << 20, 3<<20 + 17} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pt := make([]byte, n)
			rand.Read(pt)
			aad := []byte("documents/abc")
			ct := MustEncryptStream(t, k, pt, aad)
			got, err := decryptStream(k, ct, aad)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, pt) {
				t.Errorf("round trip of %d bytes differs", n)
			}
		})
	}
}

func TestStreamErrors(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	pt := bytes.Repeat([]byte("wound photo "), 200000) // ~2.4 MB, three segments
	aad := []byte("documents/abc")
	ct := MustEncryptStream(t, k, pt, aad)
	flip := func(i int) []byte {
		c := bytes.Clone(ct)
		c[i] ^= 1
		return c
	}
	tests := []struct {
		name string
		ct   []byte
		aad  []byte
		k    *Keyring
	}{
		{"OtherAAD", ct, []byte("documents/abd"), k},
		{"TamperedHeader", flip(3), aad, k},
		{"TamperedMiddle", flip(len(ct) / 2), aad, k},
		{"TamperedEnd", flip(len(ct) - 1), aad, k},
		{"Truncated", ct[:len(ct)-100], aad, k},
		{"CutAtSegment", ct[:1<<20], aad, k},
		{"OtherKeyset", ct, aad, MustOpen(t, t.TempDir(), MustCountingKEK(t))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decryptStream(tt.k, tt.ct, tt.aad); err == nil {
				t.Error("decryption succeeded")
			}
		})
	}
}

func TestStreamAfterRotation(t *testing.T) {
	dir := t.TempDir()
	kek := MustCountingKEK(t)
	k, peer := MustOpen(t, dir, kek), MustOpen(t, dir, kek)
	old := MustEncryptStream(t, k, []byte("old document"), nil)
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	fresh := MustEncryptStream(t, k, []byte("new document"), nil)
	for name, c := range map[string][]byte{"old": old, "new": fresh} {
		for kname, r := range map[string]*Keyring{"self": k, "peer": peer} {
			if _, err := decryptStream(r, c, nil); err != nil {
				t.Errorf("%s document by %s: %v", name, kname, err)
			}
		}
	}
}
