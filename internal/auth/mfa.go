package auth

import (
	"fmt"
	"time"
)

// MFAChallengeTTL is how long the step between password and second factor may last.
const MFAChallengeTTL = 5 * time.Minute

// MaxMFAAttempts is how many wrong codes one challenge tolerates; after that the user
// must start again with the password.
const MaxMFAAttempts = 5

// MFAChallenge is what the caller stores for the mfa_token returned after a correct
// password when the user has a second factor. The token itself is random
// (PrefixMFAChallenge and 256 bits, see NewToken) and only its hash is kept, rather than a
// signed self-contained token: a signed token would still need a server-side record
// to be single use, and a stored row works the same on every instance.
//
// Single use is the caller's part: look the row up by hash together with the user id,
// and on a correct code delete it in the same transaction that creates the session
// (DELETE … RETURNING, or a conditional delete whose row count must be 1), so that two
// concurrent requests cannot both succeed. On a wrong code increment Attempts.
type MFAChallenge struct {
	Hash      []byte
	ExpiresAt time.Time
	Attempts  int
}

// NewMFAChallenge returns a fresh mfa_token for the client and the record to store,
// expiring MFAChallengeTTL after now. It returns an error only if the system's random
// source fails.
func NewMFAChallenge(now time.Time) (token string, c MFAChallenge, err error) {
	token, hash, err := NewToken(PrefixMFAChallenge)
	if err != nil {
		return "", MFAChallenge{}, fmt.Errorf("new mfa challenge: %w", err)
	}
	return token, MFAChallenge{Hash: hash, ExpiresAt: now.Add(MFAChallengeTTL)}, nil
}

// Usable reports whether the challenge may still be answered at now: before
// ExpiresAt (at exactly ExpiresAt it is expired) and with fewer than MaxMFAAttempts
// wrong codes so far.
func (c MFAChallenge) Usable(now time.Time) bool {
	return now.Before(c.ExpiresAt) && c.Attempts < MaxMFAAttempts
}
