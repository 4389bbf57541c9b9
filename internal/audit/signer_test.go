package audit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateKeyFile(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadOrCreateKeyFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	k2, err := LoadOrCreateKeyFile(dir)
	if err != nil || !k1.PublicKey().Equal(k2.PublicKey()) || k1.KeyID() != k2.KeyID() {
		t.Fatalf("reload gave a different key (%v)", err)
	}
	pemPub, err := os.ReadFile(filepath.Join(dir, PublicKeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pemPub)
	if err != nil || !pub.Equal(k1.PublicKey()) {
		t.Errorf("public key file does not hold the key (%v)", err)
	}
	sig, err := k1.Sign(context.Background(), []byte("m"))
	c := SignedCheckpoint{Kind: KindCheckpoint, Hash: GenesisHash}
	c.Signature, _ = k1.Sign(context.Background(), c.SignedMessage())
	if err != nil || len(sig) != 64 || !c.VerifySignature(pub) {
		t.Error("signature does not verify with the exported key")
	}
	if s := k1.String(); strings.Contains(s, "PRIVATE") || !strings.Contains(s, k1.KeyID()) {
		t.Errorf("String() = %q", s)
	}
}

func TestKeyFileCreatedOnceUnderRace(t *testing.T) {
	dir := t.TempDir()
	keys := make([]*KeyFile, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k, err := LoadOrCreateKeyFile(dir)
			if err != nil {
				t.Error(err)
				return
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if k == nil || keys[0] == nil || !k.PublicKey().Equal(keys[0].PublicKey()) {
			t.Fatal("concurrent creators got different keys")
		}
	}
}

func TestLoadKeyFileRefusesBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"WideMode", "", 0o644, "must be 0600"},
		{"GroupReadable", "", 0o640, "must be 0600"},
		{"NotPEM", "hello", 0o600, "not a PEM private key"},
		{"BadDER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0o600, "audit signing key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			content := tc.content
			if content == "" {
				if _, err := LoadOrCreateKeyFile(dir); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(filepath.Join(dir, KeyFileName), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, KeyFileName), tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateKeyFile(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestPublicKeyEncoding(t *testing.T) {
	k := MustSigner(t)
	b, err := EncodePublicKey(k.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ParsePublicKey(b); err != nil || !got.Equal(k.PublicKey()) {
		t.Errorf("round trip failed: %v", err)
	}
	if _, err := EncodePublicKey([]byte{1, 2}); err == nil {
		t.Error("EncodePublicKey accepted a 2-byte key")
	}
	for _, bad := range []string{"", "garbage", "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"} {
		if _, err := ParsePublicKey([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted it", bad)
		}
	}
}
