package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Token prefixes make leaked tokens easy for secret scanners to recognise and tell
// apart at a glance.
const (
	PrefixAPI          = "ivrk_" // API tokens
	PrefixSession      = "ivrs_" // session tokens (cookie or bearer)
	PrefixMFAChallenge = "ivrm_" // the step between password and TOTP
)

// TokenBytes is the amount of randomness in a token: 256 bits.
const TokenBytes = 32

// tokenBodyLen is the length of the base64url (no padding) encoding of TokenBytes.
var tokenBodyLen = base64.RawURLEncoding.EncodedLen(TokenBytes)

// NewToken returns a fresh random token, prefix followed by TokenBytes random bytes in
// unpadded base64url, and its SHA-256 hash, which is all the caller stores. The prefix
// must be 1 to 16 characters of a-z, 0-9 and "_". It returns an error for a bad
// prefix or if the system's random source fails.
func NewToken(prefix string) (token string, hash []byte, err error) {
	if !validPrefix(prefix) {
		return "", nil, fmt.Errorf("new token: bad prefix %q", prefix)
	}
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("new token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 hash of the whole token, prefix included: the value to
// look a presented token up by. A slow hash is not needed for 256 random bits.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// WellFormedToken reports whether token has the given prefix and a body of the right
// length and alphabet, so that garbage can be refused without a lookup. It says
// nothing about whether the token exists.
func WellFormedToken(token, prefix string) bool {
	body, found := strings.CutPrefix(token, prefix)
	if !found || len(body) != tokenBodyLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(body)
	return err == nil
}

func validPrefix(p string) bool {
	if p == "" || len(p) > 16 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
