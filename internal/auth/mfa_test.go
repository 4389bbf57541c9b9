package auth

import (
	"bytes"
	"testing"
	"time"
)

func TestMFAChallenge(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	tok, c, err := NewMFAChallenge(now)
	if err != nil {
		t.Fatal(err)
	}
	if !WellFormedToken(tok, PrefixMFAChallenge) || !bytes.Equal(c.Hash, HashToken(tok)) {
		t.Errorf("token %q / hash mismatch", tok)
	}
	if !c.ExpiresAt.Equal(now.Add(5 * time.Minute)) {
		t.Errorf("ExpiresAt = %v, want now+5m", c.ExpiresAt)
	}
	tests := []struct {
		name     string
		at       time.Time
		attempts int
		want     bool
	}{
		{"Fresh", now, 0, true},
		{"OneSecondBeforeExpiry", now.Add(MFAChallengeTTL - time.Second), 0, true},
		{"AtExpiry", now.Add(MFAChallengeTTL), 0, false},
		{"AfterExpiry", now.Add(MFAChallengeTTL + time.Second), 0, false},
		{"FourWrong", now, MaxMFAAttempts - 1, true},
		{"FiveWrong", now, MaxMFAAttempts, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := c
			c.Attempts = tt.attempts
			if got := c.Usable(tt.at); got != tt.want {
				t.Errorf("Usable = %v, want %v", got, tt.want)
			}
		})
	}
}
