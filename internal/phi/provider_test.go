package phi

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeVaultTransit is a TEST DOUBLE of Vault's transit engine (not Vault): it
// answers /v1/transit/encrypt/<key> and /v1/transit/decrypt/<key> over HTTPS
// with AES-GCM and the request's associated_data, checking the token. It lets
// the test drive the real Tink hcvault integration and Vault API client.
type fakeVaultTransit struct {
	aead  cipher.AEAD
	token string
	calls atomic.Int64
}

func newFakeVaultTransit(tb testing.TB, token string) *fakeVaultTransit {
	tb.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		tb.Fatal(err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		tb.Fatal(err)
	}
	return &fakeVaultTransit{aead: g, token: token}
}

func (f *fakeVaultTransit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if r.Header.Get("X-Vault-Token") != f.token {
		vaultError(w, http.StatusForbidden, "permission denied")
		return
	}
	var req map[string]string
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		vaultError(w, http.StatusBadRequest, "bad body")
		return
	}
	ad, _ := base64.StdEncoding.DecodeString(req["associated_data"])
	switch r.URL.Path {
	case "/v1/transit/encrypt/ivr":
		pt, _ := base64.StdEncoding.DecodeString(req["plaintext"])
		nonce := make([]byte, f.aead.NonceSize())
		rand.Read(nonce)
		ct := f.aead.Seal(nonce, nonce, pt, ad)
		vaultData(w, "ciphertext", "vault:v1:"+base64.StdEncoding.EncodeToString(ct))
	case "/v1/transit/decrypt/ivr":
		ct, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(req["ciphertext"], "vault:v1:"))
		if len(ct) < f.aead.NonceSize() {
			vaultError(w, http.StatusBadRequest, "invalid ciphertext")
			return
		}
		pt, err := f.aead.Open(nil, ct[:f.aead.NonceSize()], ct[f.aead.NonceSize():], ad)
		if err != nil {
			vaultError(w, http.StatusBadRequest, "cipher: message authentication failed")
			return
		}
		vaultData(w, "plaintext", base64.StdEncoding.EncodeToString(pt))
	default:
		vaultError(w, http.StatusNotFound, "no handler for route")
	}
}

func vaultData(w http.ResponseWriter, k, v string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": map[string]string{k: v}})
}

func vaultError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"errors": []string{msg}})
}

// MustFakeVault starts the transit test double over TLS, points the Vault
// client's environment at its certificate and returns the hcvault:// key URI.
func MustFakeVault(tb testing.TB, f *fakeVaultTransit) string {
	tb.Helper()
	srv := httptest.NewTLSServer(f)
	tb.Cleanup(srv.Close)
	ca := filepath.Join(tb.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("VAULT_CACERT", ca)
	tb.Setenv("VAULT_ADDR", "")
	return "hcvault://" + strings.TrimPrefix(srv.URL, "https://") + "/transit/keys/ivr"
}

func TestVaultTransitKEK(t *testing.T) {
	fake := newFakeVaultTransit(t, "s.test-token")
	uri := MustFakeVault(t, fake)
	dir := t.TempDir()
	ctx := context.Background()

	t.Setenv("VAULT_TOKEN", "s.test-token")
	k, err := Open(ctx, Config{KMSURI: uri, DataDir: dir, Logger: discard()})
	if err != nil {
		t.Fatalf("Open with hcvault: %v", err)
	}
	id := FieldID{"patients", "last_name", "r"}
	ct := MustEncrypt(t, k, "Abernathy", id)
	MustDecrypt(t, k, ct, id)
	if got := fake.calls.Load(); got != 3 {
		t.Errorf("vault calls after first start and a field round trip = %d, want 3", got)
	}
	k2, err := Open(ctx, Config{KMSURI: uri, DataDir: dir, Logger: discard()})
	if err != nil {
		t.Fatalf("reopen with hcvault: %v", err)
	}
	if got := MustDecrypt(t, k2, ct, id); got != "Abernathy" {
		t.Errorf("reopened Decrypt = %q", got)
	}

	t.Run("WrongToken", func(t *testing.T) {
		t.Setenv("VAULT_TOKEN", "s.wrong")
		if _, err := Open(ctx, Config{KMSURI: uri, DataDir: dir, Logger: discard()}); err == nil {
			t.Error("Open with a wrong Vault token succeeded")
		}
	})
	t.Run("NoToken", func(t *testing.T) {
		t.Setenv("VAULT_TOKEN", "")
		_, err := Open(ctx, Config{KMSURI: uri, DataDir: dir, Logger: discard()})
		if err == nil || !strings.Contains(err.Error(), "VAULT_TOKEN") {
			t.Errorf("Open without a token: err = %v, want one naming VAULT_TOKEN", err)
		}
	})
	t.Run("OtherVaultKey", func(t *testing.T) {
		other := MustFakeVault(t, newFakeVaultTransit(t, "s.test-token"))
		_, err := Open(ctx, Config{KMSURI: other, DataDir: dir, Logger: discard()})
		if err == nil || !strings.Contains(err.Error(), "cannot be unwrapped") {
			t.Errorf("Open with another Vault key: err = %v, want ErrWrongKey", err)
		}
	})
}

func TestKMSURIErrors(t *testing.T) {
	tests := []struct{ name, uri, want string }{
		{"MalformedVault", "hcvault://", "malformed"},
		{"VaultNoKeysSegment", "hcvault://vault:8200/transit/ivr", "vault key"},
		{"AWSBadARN", "aws-kms://not-an-arn", "aws kms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("VAULT_TOKEN", "s.x")
			_, err := Open(context.Background(), Config{KMSURI: tt.uri, DataDir: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open(%q): err = %v, want one containing %q", tt.uri, err, tt.want)
			}
		})
	}
}
