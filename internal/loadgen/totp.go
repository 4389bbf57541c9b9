package loadgen

import (
	"crypto/hmac"
	"crypto/sha1" // RFC 6238 defaults to HMAC-SHA-1, which authenticator apps use.
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// totpStep is the RFC 6238 time step.
const totpStep = 30 * time.Second

// TOTP returns the six-digit RFC 6238 code (HMAC-SHA-1, 30-second steps) of a base32
// secret at time t. Spaces and lowercase letters in the secret are accepted and
// padding is optional. It returns an error, which never holds the secret, when the
// secret is not base32.
func TOTP(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(t.Unix())/uint64(totpStep/time.Second)), nil
}

func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, errors.New("totp secret is empty")
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("totp secret is not base32 (%d characters)", len(s))
	}
	return key, nil
}

// hotp is RFC 4226 truncated to six digits.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1_000_000)
}
