package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/openivr/ivr/internal/store"
)

// Bus carries published events from the relays to the receivers of every
// instance. Messages are opaque bytes; a bus keeps the order of one Publish call
// and of successive calls from one publisher. It may drop messages (receivers
// repair gaps from the outbox) but must not reorder them.
type Bus interface {
	// Publish sends msgs in order and returns once the bus has taken them.
	Publish(ctx context.Context, msgs [][]byte) error
	// Subscribe calls handle for each message, one at a time, in order, until
	// stop is called.
	Subscribe(handle func(msg []byte)) (stop func(), err error)
	// Close releases the bus.
	Close() error
}

// envelope is an event on the bus: the event with its routing fields and the id
// of the event published before it, so receivers can see a gap.
type envelope struct {
	ID         int64           `json:"id"`
	Prev       int64           `json:"prev"`
	Type       string          `json:"type"`
	At         time.Time       `json:"at"`
	Resource   Resource        `json:"resource"`
	PracticeID string          `json:"practice_id"`
	PatientID  string          `json:"patient_id,omitempty"`
	Data       json.RawMessage `json:"data"`
}

func encodeEnvelope(e Event, prev int64) ([]byte, error) {
	return json.Marshal(envelope{ID: e.ID, Prev: prev, Type: e.Type, At: e.At,
		Resource: e.Resource, PracticeID: e.PracticeID, PatientID: e.PatientID, Data: e.Data})
}

func decodeEnvelope(b []byte) (Event, int64, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return Event{}, 0, fmt.Errorf("decode bus message: %w", err)
	}
	if env.ID <= 0 || env.Prev < 0 || env.Prev >= env.ID {
		return Event{}, 0, fmt.Errorf("decode bus message: bad id %d after %d", env.ID, env.Prev)
	}
	return Event{ID: env.ID, Type: env.Type, At: env.At, Resource: env.Resource,
		PracticeID: env.PracticeID, PatientID: env.PatientID, Data: env.Data}, env.Prev, nil
}

// localBus delivers in the publisher's goroutine to the handlers of this process.
type localBus struct {
	mu       sync.Mutex
	next     int
	handlers map[int]func([]byte)
}

// NewLocalBus returns the in-process bus of a single instance: Publish calls
// every handler before it returns, so handlers must be quick.
func NewLocalBus() Bus { return &localBus{handlers: map[int]func([]byte){}} }

func (b *localBus) Publish(ctx context.Context, msgs [][]byte) error {
	b.mu.Lock()
	hs := make([]func([]byte), 0, len(b.handlers))
	for _, h := range b.handlers {
		hs = append(hs, h)
	}
	b.mu.Unlock()
	for _, m := range msgs {
		for _, h := range hs {
			h(m)
		}
	}
	return ctx.Err()
}

func (b *localBus) Subscribe(handle func([]byte)) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.handlers[id] = handle
	return func() {
		b.mu.Lock()
		delete(b.handlers, id)
		b.mu.Unlock()
	}, nil
}

func (b *localBus) Close() error { return nil }

// natsBus is NATS core publish/subscribe on one subject.
type natsBus struct {
	nc      *nats.Conn
	subject string
}

// NewNATSBus connects to the NATS server at url and returns a bus on subject
// (for example "ivr.events"). Every instance publishes to it and every instance
// receives from it. It reconnects forever; messages lost meanwhile are read back
// from the outbox.
func NewNATSBus(url, subject string) (Bus, error) {
	if subject == "" || strings.ContainsAny(subject, " \t\r\n*>") {
		return nil, fmt.Errorf("nats bus: subject %q must be a plain subject", subject)
	}
	nc, err := nats.Connect(url, nats.Name("ivr events"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", store.RedactURL(url), err)
	}
	return &natsBus{nc: nc, subject: subject}, nil
}

func (b *natsBus) Publish(ctx context.Context, msgs [][]byte) error {
	for _, m := range msgs {
		if err := b.nc.Publish(b.subject, m); err != nil {
			return fmt.Errorf("nats publish: %w", err)
		}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		// Short: the relay holds its transaction (on SQLite, the write lock) meanwhile.
		ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
	}
	// The flush makes the server take the messages before the relay marks them
	// published, so another instance's relay cannot overtake them.
	if err := b.nc.FlushWithContext(ctx); err != nil {
		return fmt.Errorf("nats flush: %w", err)
	}
	return nil
}

func (b *natsBus) Subscribe(handle func([]byte)) (func(), error) {
	sub, err := b.nc.Subscribe(b.subject, func(m *nats.Msg) { handle(m.Data) })
	if err != nil {
		return nil, fmt.Errorf("nats subscribe: %w", err)
	}
	// Generous limits: a drop is repaired from the outbox, but costs a query.
	if err := sub.SetPendingLimits(1<<20, 1<<30); err != nil {
		sub.Unsubscribe()
		return nil, fmt.Errorf("nats subscribe: %w", err)
	}
	return func() { sub.Unsubscribe() }, nil
}

func (b *natsBus) Close() error {
	b.nc.Close()
	return nil
}
