package auth

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSessionPolicyCheck(t *testing.T) {
	p := DefaultSessionPolicy()
	created := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	last := created.Add(2 * time.Hour)
	rec := SessionRecord{CreatedAt: created, LastSeenAt: last}
	sec := time.Second
	seenAt := func(d time.Duration) func(*SessionRecord) {
		return func(r *SessionRecord) { r.LastSeenAt = created.Add(d) }
	}
	tests := []struct {
		name   string
		modify func(*SessionRecord)
		now    time.Time
		want   SessionCheck
	}{
		{"Active", nil, last.Add(time.Minute), SessionCheck{SessionValid,
			last.Add(time.Minute), last.Add(16 * time.Minute)}},
		{"IdleOneSecondShort", nil, last.Add(15*time.Minute - sec), SessionCheck{SessionValid,
			last.Add(15*time.Minute - sec), last.Add(30*time.Minute - sec)}},
		{"IdleExactly", nil, last.Add(15 * time.Minute), SessionCheck{Status: SessionIdleExpired}},
		{"IdleOneSecondOver", nil, last.Add(15*time.Minute + sec),
			SessionCheck{Status: SessionIdleExpired}},
		{"AbsoluteOneSecondShort", seenAt(12 * time.Hour),
			created.Add(12*time.Hour - sec), SessionCheck{SessionValid,
				created.Add(12 * time.Hour), created.Add(12 * time.Hour)}},
		{"AbsoluteExactly", seenAt(12*time.Hour - sec),
			created.Add(12 * time.Hour), SessionCheck{Status: SessionAbsoluteExpired}},
		{"AbsoluteOneSecondOver", seenAt(12 * time.Hour),
			created.Add(12*time.Hour + sec), SessionCheck{Status: SessionAbsoluteExpired}},
		{"ExpiryCappedByAbsolute", seenAt(11*time.Hour + 50*time.Minute),
			created.Add(11*time.Hour + 55*time.Minute), SessionCheck{SessionValid,
				created.Add(11*time.Hour + 55*time.Minute), created.Add(12 * time.Hour)}},
		{"NeverSeenUsesCreated", func(r *SessionRecord) { r.LastSeenAt = time.Time{} },
			created.Add(15 * time.Minute), SessionCheck{Status: SessionIdleExpired}},
		{"ClockBehindKeepsLastSeen", nil, last.Add(-5 * sec), SessionCheck{SessionValid,
			last, last.Add(15 * time.Minute)}},
		{"Revoked", func(r *SessionRecord) { r.Revoked = true }, last.Add(sec),
			SessionCheck{Status: SessionRevoked}},
		{"UserDisabled", func(r *SessionRecord) { r.UserDisabled = true }, last.Add(sec),
			SessionCheck{Status: SessionUserDisabled}},
		{"PasswordChangedAfter", func(r *SessionRecord) { r.PasswordChangedAt = created.Add(sec) },
			last.Add(sec), SessionCheck{Status: SessionPasswordChanged}},
		{"PasswordChangedSameInstant", func(r *SessionRecord) { r.PasswordChangedAt = created },
			last.Add(sec), SessionCheck{SessionValid, last.Add(sec), last.Add(sec + 15*time.Minute)}},
		{"PasswordChangedBefore", func(r *SessionRecord) { r.PasswordChangedAt = created.Add(-sec) },
			last.Add(sec), SessionCheck{SessionValid, last.Add(sec), last.Add(sec + 15*time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec
			if tt.modify != nil {
				tt.modify(&r)
			}
			got := p.Check(r, tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if got.Valid() != (tt.want.Status == SessionValid) {
				t.Errorf("Valid() = %v", got.Valid())
			}
		})
	}
}

func TestSessionPolicyZeroUsesDefaults(t *testing.T) {
	created := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	rec := SessionRecord{CreatedAt: created, LastSeenAt: created}
	if got := (SessionPolicy{}).Check(rec, created.Add(15*time.Minute)); got.Valid() {
		t.Error("zero policy did not apply the 15-minute idle default")
	}
	custom := SessionPolicy{Idle: time.Minute, Absolute: time.Hour}
	if got := custom.Check(rec, created.Add(time.Minute)); got.Status != SessionIdleExpired {
		t.Errorf("custom idle: status %v, want idle_expired", got.Status)
	}
}

func TestSessionPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    SessionPolicy
		ok   bool
	}{
		{"Default", DefaultSessionPolicy(), true},
		{"Equal", SessionPolicy{Idle: time.Hour, Absolute: time.Hour}, true},
		{"Zero", SessionPolicy{}, false},
		{"Negative", SessionPolicy{Idle: -time.Minute, Absolute: time.Hour}, false},
		{"IdleOverAbsolute", SessionPolicy{Idle: 2 * time.Hour, Absolute: time.Hour}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.p.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestSessionStatusString(t *testing.T) {
	got := []string{}
	for s := SessionValid; s <= SessionIdleExpired+1; s++ {
		got = append(got, s.String())
	}
	want := []string{"valid", "revoked", "user_disabled", "password_changed",
		"absolute_expired", "idle_expired", "unknown"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
