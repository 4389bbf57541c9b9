package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{PrefixAPI, PrefixSession, PrefixMFAChallenge} {
		t.Run(prefix, func(t *testing.T) {
			tok, hash, err := NewToken(prefix)
			if err != nil {
				t.Fatal(err)
			}
			body, found := strings.CutPrefix(tok, prefix)
			raw, err := base64.RawURLEncoding.DecodeString(body)
			if !found || err != nil || len(raw) != TokenBytes {
				t.Errorf("token %q: want prefix and %d base64url bytes", tok, TokenBytes)
			}
			want := sha256.Sum256([]byte(tok))
			if !bytes.Equal(hash, want[:]) || !bytes.Equal(HashToken(tok), want[:]) {
				t.Error("hash is not SHA-256 of the whole token")
			}
			if !WellFormedToken(tok, prefix) {
				t.Error("WellFormedToken(new token) = false")
			}
			other, _, _ := NewToken(prefix)
			if other == tok {
				t.Error("two tokens are equal")
			}
		})
	}
}

func TestNewTokenBadPrefix(t *testing.T) {
	for _, p := range []string{"", "IVR_", "ivr-", "ivr k", strings.Repeat("a", 17), "ívr_"} {
		if _, _, err := NewToken(p); err == nil {
			t.Errorf("NewToken(%q) succeeded", p)
		}
	}
}

func TestWellFormedToken(t *testing.T) {
	good, _, _ := NewToken(PrefixSession)
	tests := []struct {
		name, token, prefix string
		want                bool
	}{
		{"OK", good, PrefixSession, true},
		{"WrongPrefix", good, PrefixAPI, false},
		{"NoPrefix", strings.TrimPrefix(good, PrefixSession), PrefixSession, false},
		{"Truncated", good[:len(good)-1], PrefixSession, false},
		{"Longer", good + "A", PrefixSession, false},
		{"BadChar", good[:len(good)-1] + "*", PrefixSession, false},
		{"StdBase64", good[:len(good)-1] + "+", PrefixSession, false},
		{"Empty", "", PrefixSession, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WellFormedToken(tt.token, tt.prefix); got != tt.want {
				t.Errorf("WellFormedToken = %v, want %v", got, tt.want)
			}
		})
	}
}
