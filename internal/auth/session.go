package auth

import (
	"errors"
	"time"
)

// SessionPolicy bounds a session's life. A session ends when it has been idle for
// Idle or more, or has existed for Absolute or more, whichever comes first: at exactly
// the limit the session is already expired (the comparisons are ≥).
type SessionPolicy struct {
	Idle     time.Duration
	Absolute time.Duration
}

// The default session lifetimes.
const (
	DefaultSessionIdle     = 15 * time.Minute
	DefaultSessionAbsolute = 12 * time.Hour
)

// DefaultSessionPolicy returns the policy of 15 minutes idle and 12 hours absolute.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{Idle: DefaultSessionIdle, Absolute: DefaultSessionAbsolute}
}

// Validate returns an error unless both durations are positive and Idle ≤ Absolute.
func (p SessionPolicy) Validate() error {
	if p.Idle <= 0 || p.Absolute <= 0 {
		return errors.New("session policy: idle and absolute lifetimes must be positive")
	}
	if p.Idle > p.Absolute {
		return errors.New("session policy: idle lifetime exceeds absolute lifetime")
	}
	return nil
}

// SessionRecord is what the caller stored about a session and its user.
type SessionRecord struct {
	CreatedAt  time.Time
	LastSeenAt time.Time
	Revoked    bool
	// UserDisabled is true when the user's account is disabled.
	UserDisabled bool
	// PasswordChangedAt is when the user's password last changed; zero if never.
	// A session created before that instant is dead.
	PasswordChangedAt time.Time
}

// SessionStatus says whether a session is valid and, if not, why.
type SessionStatus int

// The outcomes of SessionPolicy.Check, in the order they are tested.
const (
	SessionValid SessionStatus = iota
	SessionRevoked
	SessionUserDisabled
	SessionPasswordChanged
	SessionAbsoluteExpired
	SessionIdleExpired
)

// String returns a short snake_case name, fit for logs and metrics.
func (s SessionStatus) String() string {
	switch s {
	case SessionValid:
		return "valid"
	case SessionRevoked:
		return "revoked"
	case SessionUserDisabled:
		return "user_disabled"
	case SessionPasswordChanged:
		return "password_changed"
	case SessionAbsoluteExpired:
		return "absolute_expired"
	case SessionIdleExpired:
		return "idle_expired"
	}
	return "unknown"
}

// SessionCheck is the result of SessionPolicy.Check.
type SessionCheck struct {
	Status SessionStatus
	// LastSeenAt is the value to store when Status is SessionValid: now, or the stored
	// value if now is earlier (clocks of several instances may differ slightly).
	LastSeenAt time.Time
	// ExpiresAt is when the session will end if unused from now on: the earlier of
	// LastSeenAt+Idle and CreatedAt+Absolute. Set only when valid.
	ExpiresAt time.Time
}

// Valid reports whether the session may be used.
func (c SessionCheck) Valid() bool { return c.Status == SessionValid }

// Check decides whether the session s is still valid at now. A zero field of p takes
// its default. Idle time is measured from LastSeenAt (or CreatedAt if LastSeenAt is
// zero).
func (p SessionPolicy) Check(s SessionRecord, now time.Time) SessionCheck {
	if p.Idle <= 0 {
		p.Idle = DefaultSessionIdle
	}
	if p.Absolute <= 0 {
		p.Absolute = DefaultSessionAbsolute
	}
	last := s.LastSeenAt
	if last.IsZero() || last.Before(s.CreatedAt) {
		last = s.CreatedAt
	}
	switch {
	case s.Revoked:
		return SessionCheck{Status: SessionRevoked}
	case s.UserDisabled:
		return SessionCheck{Status: SessionUserDisabled}
	case s.PasswordChangedAt.After(s.CreatedAt):
		return SessionCheck{Status: SessionPasswordChanged}
	case now.Sub(s.CreatedAt) >= p.Absolute:
		return SessionCheck{Status: SessionAbsoluteExpired}
	case now.Sub(last) >= p.Idle:
		return SessionCheck{Status: SessionIdleExpired}
	}
	if now.After(last) {
		last = now
	}
	expires := last.Add(p.Idle)
	if abs := s.CreatedAt.Add(p.Absolute); abs.Before(expires) {
		expires = abs
	}
	return SessionCheck{Status: SessionValid, LastSeenAt: last, ExpiresAt: expires}
}
