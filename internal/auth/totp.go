package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the HMAC hash function of an HOTP or TOTP code.
type Algorithm int

// The hash functions RFC 6238 names. SHA1 is what authenticator apps expect.
const (
	SHA1 Algorithm = iota
	SHA256
	SHA512
)

// String returns the name used in otpauth URIs.
func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return "Algorithm(" + strconv.Itoa(int(a)) + ")"
}

func (a Algorithm) hash() (func() hash.Hash, error) {
	switch a {
	case SHA1:
		return sha1.New, nil
	case SHA256:
		return sha256.New, nil
	case SHA512:
		return sha512.New, nil
	}
	return nil, fmt.Errorf("unknown hmac algorithm %d", int(a))
}

// TOTPIssuer is the issuer shown by authenticator apps.
const TOTPIssuer = "IVR Platform"

// TOTPSecretBytes is the length of a generated TOTP key (160 bits, as RFC 4226
// recommends for HMAC-SHA-1).
const TOTPSecretBytes = 20

// TOTP holds the parameters of time-based one-time passwords (RFC 6238).
type TOTP struct {
	Digits    int           // 6 to 10
	Period    time.Duration // length of one time step
	Algorithm Algorithm
	Skew      int64 // steps accepted either side of the current one
}

// DefaultTOTP is the platform's setting: 6 digits, 30-second steps, SHA-1, and one
// step of tolerance either side for clock drift.
var DefaultTOTP = TOTP{Digits: 6, Period: 30 * time.Second, Algorithm: SHA1, Skew: 1}

var secretEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh random TOTP key of TOTPSecretBytes bytes, encoded as
// base32 without padding. It returns an error only if the system's random source fails.
func NewTOTPSecret() (Secret, error) {
	key := make([]byte, TOTPSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("new totp secret: %w", err)
	}
	return Secret(secretEncoding.EncodeToString(key)), nil
}

// DecodeTOTPSecret decodes a base32 secret, ignoring case, spaces and padding.
func DecodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	key, err := secretEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) == 0 {
		return nil, errors.New("decode totp secret: not base32")
	}
	return key, nil
}

// ProvisioningURI returns the otpauth://totp URI an authenticator app reads from a QR
// code, for the given secret and account (the user's e-mail), with the issuer
// TOTPIssuer and DefaultTOTP's parameters. The URI contains the secret: show it once,
// never log or store it.
func ProvisioningURI(secret, account string) Secret {
	return DefaultTOTP.ProvisioningURI(secret, account)
}

// ProvisioningURI is the package-level ProvisioningURI for t's parameters.
func (t TOTP) ProvisioningURI(secret, account string) Secret {
	label := pathEscape(TOTPIssuer) + ":" + pathEscape(account)
	q := "secret=" + queryEscape(strings.ToUpper(strings.ReplaceAll(secret, " ", ""))) +
		"&issuer=" + queryEscape(TOTPIssuer) +
		"&algorithm=" + t.Algorithm.String() +
		"&digits=" + strconv.Itoa(t.Digits) +
		"&period=" + strconv.Itoa(int(t.Period/time.Second))
	return Secret("otpauth://totp/" + label + "?" + q)
}

// pathEscape escapes s for the label; the colon is escaped too, as it separates the
// issuer from the account.
func pathEscape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// queryEscape escapes s for a query value with %20 for spaces, which apps read more
// reliably than "+".
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Validate checks code against secret at time now with DefaultTOTP. See TOTP.Validate.
func Validate(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	return DefaultTOTP.Validate(secret, code, now, lastUsedStep)
}

// Validate reports whether code is valid for secret at now, within Skew steps either
// side, and returns the time step it matched. A code is accepted at most once: steps
// at or before lastUsedStep are refused, so the caller must store the returned step
// and pass it back next time (0 when the factor was never used). A malformed secret
// or code is simply not ok.
func (t TOTP) Validate(secret, code string, now time.Time, lastUsedStep int64) (int64, bool) {
	code = strings.ReplaceAll(code, " ", "")
	key, err := DecodeTOTPSecret(secret)
	if err != nil || len(code) != t.Digits || !allDigits(code) {
		return 0, false
	}
	current, err := t.Step(now)
	if err != nil {
		return 0, false
	}
	var matched int64 = -1
	for step := current - t.Skew; step <= current+t.Skew; step++ {
		if step < 0 || step <= lastUsedStep {
			continue
		}
		want, err := HOTP(key, uint64(step), t.Digits, t.Algorithm)
		// Every candidate is compared, so timing does not tell which step matched.
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = step
		}
	}
	return max(matched, 0), matched >= 0
}

// Code returns the code for secret at time now. It is meant for tests, demo data and
// command-line tools; the server only validates.
func (t TOTP) Code(secret string, now time.Time) (string, error) {
	key, err := DecodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	step, err := t.Step(now)
	if err != nil {
		return "", fmt.Errorf("totp code: %w", err)
	}
	return HOTP(key, uint64(step), t.Digits, t.Algorithm)
}

// Step returns the time step number of now: whole periods since the Unix epoch. It
// returns an error for a time before the epoch or a non-positive period.
func (t TOTP) Step(now time.Time) (int64, error) {
	if t.Period < time.Second {
		return 0, errors.New("totp period must be at least one second")
	}
	if now.Unix() < 0 {
		return 0, errors.New("totp time is before 1970")
	}
	return now.Unix() / int64(t.Period/time.Second), nil
}

// HOTP returns the RFC 4226 one-time password of key for counter, with digits digits
// (6 to 10) and the given HMAC hash.
func HOTP(key []byte, counter uint64, digits int, alg Algorithm) (string, error) {
	if digits < 6 || digits > 10 {
		return "", fmt.Errorf("hotp: %d digits, want 6 to 10", digits)
	}
	newHash, err := alg.hash()
	if err != nil {
		return "", fmt.Errorf("hotp: %w", err)
	}
	mac := hmac.New(newHash, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)

	// Dynamic truncation (RFC 4226 section 5.3).
	off := sum[len(sum)-1] & 0x0f
	bin := uint64(binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff)
	mod := uint64(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
