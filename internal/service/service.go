// Package service holds the use cases of the platform. Each public method is one
// transaction: authorize → load in scope → domain transition → persist → audit
// rows → outbox rows → commit → then wake the event relay. Nothing is published
// before commit.
package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/auth"
	"github.com/openivr/ivr/internal/blob"
	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/eligibility"
	"github.com/openivr/ivr/internal/events"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
)

// Service is the set of use cases. Its fields are its dependencies; all are
// required except Notify and Log.
type Service struct {
	DB       *store.DB
	Keys     *phi.Keyring
	Hasher   *auth.Hasher
	Throttle auth.LoginThrottle
	Sessions auth.SessionPolicy
	Log      *slog.Logger
	// Checker runs electronic eligibility checks; nil disables them.
	Checker *eligibility.Checker
	// Blobs holds documents; it encrypts before anything reaches its backend.
	Blobs blob.Store
	// Notify wakes the event relay after a commit that wrote outbox rows.
	Notify func()
	// BreakGlassFor is how long a break-glass grant lasts.
	BreakGlassFor time.Duration
}

func (s *Service) now() time.Time { return s.DB.Now() }

func (s *Service) notify() {
	if s.Notify != nil {
		s.Notify()
	}
}

// inTx runs fn in a transaction and wakes the relay after a successful commit.
func (s *Service) inTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	if err := s.DB.InTx(ctx, fn); err != nil {
		return err
	}
	s.notify()
	return nil
}

// entry builds the audit entry of an action by p; fields are names, never values.
func entry(p domain.Principal, action, resType, resID, patientID string, fields ...string) audit.Entry {
	return audit.Entry{
		ActorID: p.UserID, ActorRole: string(p.Role), SessionID: p.SessionID,
		IP: p.IP, UserAgent: p.UserAgent, Action: action, ResourceType: resType,
		ResourceID: resID, PatientID: patientID, Fields: fields, Outcome: audit.OutcomeSuccess,
	}
}

// record appends one audit entry in tx.
func record(ctx context.Context, tx *store.Tx, e audit.Entry) error {
	_, err := audit.Append(ctx, tx, e)
	return err
}

// RecordDenied writes the audit entry of a refused attempt in its own
// transaction: the attempt changed nothing else, but it must leave a trace.
func (s *Service) RecordDenied(ctx context.Context, p domain.Principal, action, resType, resID string,
	reason domain.Code) {
	e := entry(p, action, resType, resID, "")
	e.Outcome, e.Reason = audit.OutcomeDenied, string(reason)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error { return record(ctx, tx, e) })
	if err != nil {
		s.Log.ErrorContext(ctx, "audit a denied attempt", "error", err)
	}
}

// emit writes an outbox row for a live event. data must be PHI-minimal: the
// events package refuses any other key.
func emit(ctx context.Context, tx *store.Tx, typ, resType, resID, practiceID, patientID string,
	data map[string]any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = events.Write(ctx, tx, events.Event{
		Type: typ, At: tx.Now, Resource: events.Resource{Type: resType, ID: resID},
		PracticeID: practiceID, PatientID: patientID, Data: raw,
	})
	return err
}

// readTx runs fn in a transaction for a read that writes its audit entries: the
// rows read and the entries that record the read commit together or not at all.
func (s *Service) readTx(ctx context.Context, fn func(tx *store.Tx) error) error {
	return s.DB.InTx(ctx, fn)
}

// isNotFound reports whether err is the not-found error.
func isNotFound(err error) bool {
	return domain.ErrorCode(err) == domain.CodeNotFound
}
