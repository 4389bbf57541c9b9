package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// RecoveryCodeCount is how many recovery codes a user receives at once.
const RecoveryCodeCount = 10

// recoveryAlphabet leaves out 0, 1, i, l and o, which are easily confused when read
// or typed; 31 symbols.
const recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// A code is three groups of five symbols: 15 × log2(31) ≈ 74.3 bits of entropy.
const (
	recoveryGroups   = 3
	recoveryGroupLen = 5
)

// recoveryHashDomain separates these hashes from any other SHA-256 use.
const recoveryHashDomain = "ivr recovery code v1\x00"

// NewRecoveryCodes returns RecoveryCodeCount fresh one-time codes such as
// "k7m2p-x9hqa-4tz8c" and their hashes, in the same order. Show the codes to the user
// once and store only the hashes; each code is used at most once, so the caller
// clears a hash when MatchRecoveryCode reports it. It returns an error only if the
// system's random source fails.
//
// The hashes are plain SHA-256, not argon2: a slow hash protects secrets people
// choose, whose few likely values an attacker can try in order. These codes are drawn
// uniformly from about 2^74 values, so even with the hashes in hand an attacker
// trying 10^11 guesses a second needs some 3,000 years per code (300 for one of ten)
// on average, and a slow hash would add nothing a login needs.
func NewRecoveryCodes() (codes []Secret, hashes []string, err error) {
	codes = make([]Secret, RecoveryCodeCount)
	hashes = make([]string, RecoveryCodeCount)
	for i := range codes {
		c, err := newRecoveryCode()
		if err != nil {
			return nil, nil, fmt.Errorf("new recovery codes: %w", err)
		}
		codes[i], hashes[i] = Secret(c), HashRecoveryCode(c)
	}
	return codes, hashes, nil
}

// newRecoveryCode draws each symbol uniformly by rejecting bytes at or above the
// largest multiple of the alphabet size.
func newRecoveryCode() (string, error) {
	const n = len(recoveryAlphabet)
	const limit = 256 - 256%n
	var b strings.Builder
	buf := make([]byte, 32)
	for count := 0; count < recoveryGroups*recoveryGroupLen; {
		if _, err := rand.Read(buf); err != nil {
			return "", err
		}
		for _, x := range buf {
			if int(x) >= limit || count == recoveryGroups*recoveryGroupLen {
				continue
			}
			if count > 0 && count%recoveryGroupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[int(x)%n])
			count++
		}
	}
	return b.String(), nil
}

// NormalizeRecoveryCode lower-cases code and removes dashes and white space, so that
// "K7M2P X9HQA-4tz8c" and "k7m2p-x9hqa-4tz8c" are the same code.
func NormalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t', '\n', '\r':
			return -1
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// HashRecoveryCode returns the hex SHA-256 hash stored for code, after normalising it.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(recoveryHashDomain + NormalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode reports whether code matches one of the stored hashes and which.
// Every hash is compared in constant time, whatever matched; empty entries (codes
// already used) never match. A code of the wrong shape is simply not ok.
func MatchRecoveryCode(code string, hashes []string) (index int, ok bool) {
	norm := NormalizeRecoveryCode(code)
	if len(norm) != recoveryGroups*recoveryGroupLen {
		return -1, false
	}
	got := []byte(HashRecoveryCode(norm))
	index = -1
	for i, h := range hashes {
		eq := subtle.ConstantTimeCompare(got, []byte(h)) == 1
		if eq && index < 0 {
			index = i
		}
	}
	return index, index >= 0
}
