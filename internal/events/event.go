// Package events carries live updates from state changes to WebSocket subscribers.
//
// A service that changes state calls Write inside its transaction; the row lands in
// the outbox table together with the change, or not at all. A relay in every
// instance (Hub.Run) reads unpublished rows in id order, publishes them to a Bus
// (in-process, or NATS between instances) and marks them published. Each instance
// receives the bus stream, keeps the id of the last event it saw, and hands every
// event to the subscriptions whose scope holds its practice.
//
// Decisions:
//
//   - The outbox data is stored in plaintext, so it is PHI-minimal for every
//     recipient: references, statuses, patient initials, products, territory and
//     practice ids, dates. Never names, birth dates, member ids, diagnoses, free
//     text or amounts. Write enforces this with an allow-list of keys and value
//     shapes, so a mistake in a service cannot put PHI in the outbox; the same data
//     then suits every role, PHI-minimal or not.
//   - Ids are delivered in commit order. On PostgreSQL, BIGSERIAL values are taken
//     at insert and transactions may commit in another order, so Write first takes
//     a transaction-level advisory lock: event-writing transactions commit one after
//     another from their Write on, and a row with a lower id is always visible no
//     later than one with a higher id. Write should therefore be the last statement
//     of a transaction. On SQLite the single writer gives the same order.
//   - One relay at a time: the relay's transaction takes another advisory lock on
//     PostgreSQL (SQLite's write lock does the same), so with several instances on
//     one database each row is published by one relay, in order. A relay that
//     published but failed to commit publishes again; receivers drop ids they have
//     seen, so no subscriber gets an event twice.
//   - None lost: each bus message names the id of the event before it. A receiver
//     that sees a gap (NATS core drops messages under pressure, or the instance just
//     started) reads the missing rows from the outbox before going on, and every
//     poll interval it also reads published rows it has not seen.
//   - Subscribers resume with after=<id>: the outbox is replayed with the scope in
//     the SQL, while live events are buffered; live events with ids already replayed
//     are dropped. A subscriber whose buffer fills is disconnected, never waited
//     for; it resumes from its last id without losing anything.
package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The event types of DOMAIN.md ("Events and notifications").
const (
	TypeIVRSubmitted       = "ivr.submitted"
	TypeIVRAssigned        = "ivr.assigned"
	TypeIVRNeedsInfo       = "ivr.needs_info"
	TypeIVRResponded       = "ivr.responded"
	TypeIVRApproved        = "ivr.approved"
	TypeIVRDenied          = "ivr.denied"
	TypeIVRExpiring        = "ivr.expiring"
	TypeIVRExpired         = "ivr.expired"
	TypeOrderPlaced        = "order.placed"
	TypeOrderShipped       = "order.shipped"
	TypeOrderDelivered     = "order.delivered"
	TypeOrderOverdue       = "order.overdue"
	TypeOrderIssue         = "order.issue"
	TypeSecurityBreakGlass = "security.break_glass"
	// TypeScopeChanged is written in the transaction that moves a practice to
	// another territory or changes a user's territories. It is never sent to
	// clients: every instance re-reads the scopes of its subscriptions when it
	// reaches it in the stream.
	TypeScopeChanged = "scope.changed"
)

var knownTypes = map[string]bool{
	TypeIVRSubmitted: true, TypeIVRAssigned: true, TypeIVRNeedsInfo: true,
	TypeIVRResponded: true, TypeIVRApproved: true, TypeIVRDenied: true,
	TypeIVRExpiring: true, TypeIVRExpired: true, TypeOrderPlaced: true,
	TypeOrderShipped: true, TypeOrderDelivered: true, TypeOrderOverdue: true,
	TypeOrderIssue: true, TypeSecurityBreakGlass: true, TypeScopeChanged: true,
}

var knownResources = map[string]bool{
	"ivr": true, "order": true, "patient": true, "organization": true, "user": true,
	"territory": true,
}

// Event is one state change as subscribers see it. ID is the outbox id: it
// increases in commit order. PracticeID decides who receives it; PatientID is kept
// for the record and never sent.
type Event struct {
	ID         int64
	Type       string
	At         time.Time
	Resource   Resource
	PracticeID string
	PatientID  string
	Data       json.RawMessage
}

// Resource names the record an event is about.
type Resource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// wireEvent is the message of API.md ("Live events").
type wireEvent struct {
	ID       int64           `json:"id"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Resource Resource        `json:"resource"`
	Data     json.RawMessage `json:"data"`
}

// MarshalJSON encodes e as the WebSocket message {"id", "type", "at", "resource",
// "data"}; the practice and patient ids stay on the server.
func (e Event) MarshalJSON() ([]byte, error) {
	data := e.Data
	if len(data) == 0 {
		data = json.RawMessage(`{}`)
	}
	return json.Marshal(wireEvent{ID: e.ID, Type: e.Type, At: e.At.UTC(),
		Resource: e.Resource, Data: data})
}

// String names the event without its data, for logs.
func (e Event) String() string {
	return fmt.Sprintf("event %d %s %s/%s", e.ID, e.Type, e.Resource.Type, e.Resource.ID)
}

// LogValue logs the event as String does, without its data.
func (e Event) LogValue() slog.Value { return slog.StringValue(e.String()) }

// ErrInvalidEvent is wrapped by Write's error for an event it refuses, including
// one whose data holds a key outside the PHI-minimal allow-list. The message names
// the key, never the value.
var ErrInvalidEvent = errors.New("invalid event")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
}

// validate checks everything but the data.
func validate(e Event) error {
	switch {
	case !knownTypes[e.Type]:
		return invalid("unknown type %q", e.Type)
	case !knownResources[e.Resource.Type]:
		return invalid("unknown resource type %q", e.Resource.Type)
	case !isID(e.Resource.ID):
		return invalid("resource id is missing or malformed")
	case !isID(e.PracticeID):
		return invalid("practice id is missing or malformed")
	case e.PatientID != "" && !isID(e.PatientID):
		return invalid("patient id is malformed")
	}
	return checkData(e.Data)
}
