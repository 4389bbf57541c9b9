package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
)

// ErrClosed ends the subscriptions of a hub whose Run has returned.
var ErrClosed = errors.New("event hub closed")

// ErrSlowSubscriber ends a subscription that did not keep up; the client resumes
// with the id of the last event it received.
var ErrSlowSubscriber = errors.New("subscriber too slow")

// ErrResync ends every subscription of an instance that could not read back
// events missing from the bus stream; clients resume from the outbox.
var ErrResync = errors.New("event stream interrupted")

// Hub relays the outbox to the bus and the bus to the subscriptions of this
// instance.
type Hub struct {
	db  *store.DB
	bus Bus
	log *slog.Logger

	wake    chan struct{}
	ready   chan struct{}
	started atomic.Bool

	// Tunables; tests shorten them.
	poll         time.Duration // relay and bus-repair fallback interval
	refreshEvery time.Duration // re-read of territory scopes
	batch        int           // relay batch and replay page size
	buffer       int           // live events held per subscription

	mu   sync.Mutex
	last int64 // highest event id handed to subscriptions
	// scopeGen counts the scope changes handled, so that a scope read before one
	// is not installed after it.
	scopeGen int
	subs     map[*Subscription]struct{}
	closed   bool
}

// NewHub returns a hub on db and bus; log receives ids and errors, never data.
// Start it with Run.
func NewHub(db *store.DB, bus Bus, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub{db: db, bus: bus, log: log, wake: make(chan struct{}, 1),
		ready: make(chan struct{}), poll: time.Second, refreshEvery: 30 * time.Second,
		batch: 500, buffer: 1024, subs: map[*Subscription]struct{}{}}
}

// Notify wakes the relay; services call it after committing a transaction that
// wrote events. Without it the relay still polls every second.
func (h *Hub) Notify() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run relays the outbox and delivers the bus stream until ctx ends, then closes
// every subscription with ErrClosed. Call it once per hub.
func (h *Hub) Run(ctx context.Context) error {
	if !h.started.CompareAndSwap(false, true) {
		return errors.New("event hub: Run called twice")
	}
	stop, err := h.start(ctx)
	if err != nil {
		// Subscribe waits for the start; tell it there will be none.
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		close(h.ready)
		return err
	}
	defer stop()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); h.relayLoop(ctx) }()
	go func() { defer wg.Done(); h.refreshLoop(ctx) }()
	wg.Wait()
	h.mu.Lock()
	h.closed = true
	for s := range h.subs {
		h.removeLocked(s, ErrClosed)
	}
	h.mu.Unlock()
	return nil
}

// start subscribes to the bus and learns the last published id while holding the
// lock, so bus messages wait until the hub knows where it stands.
func (h *Hub) start(ctx context.Context) (func(), error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	stop, err := h.bus.Subscribe(h.receive)
	if err != nil {
		return nil, fmt.Errorf("event hub: %w", err)
	}
	last, err := lastPublished(ctx, h.db.Reader())
	if err != nil {
		stop()
		return nil, fmt.Errorf("event hub: read outbox: %w", err)
	}
	h.last = last
	close(h.ready)
	return stop, nil
}

func (h *Hub) relayLoop(ctx context.Context) {
	tick := time.NewTicker(h.poll)
	defer tick.Stop()
	for {
		n, err := h.relayOnce(ctx)
		if err != nil && ctx.Err() == nil {
			h.log.Error("event relay", "err", err)
		}
		if err == nil && n == h.batch {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		case <-tick.C:
			h.catchUpBus(ctx)
		}
	}
}

// relayOnce publishes one batch of unpublished rows and marks them, under the
// relay lock, and returns how many it published.
func (h *Hub) relayOnce(ctx context.Context) (int, error) {
	n := 0
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		if tx.Dialect == store.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`,
				int64(relayLock)); err != nil {
				return fmt.Errorf("lock relay: %w", err)
			}
		}
		evs, prev, err := unpublished(ctx, tx, h.batch)
		if err != nil || len(evs) == 0 {
			return err
		}
		msgs := make([][]byte, len(evs))
		for i, e := range evs {
			if msgs[i], err = encodeEnvelope(e, prev); err != nil {
				return err
			}
			prev = e.ID
		}
		if err := h.bus.Publish(ctx, msgs); err != nil {
			return err
		}
		n = len(evs)
		return markPublished(ctx, tx, evs[0].ID, evs[len(evs)-1].ID)
	})
	if err != nil {
		return 0, fmt.Errorf("relay outbox: %w", err)
	}
	return n, nil
}

// receive handles one bus message.
func (h *Hub) receive(msg []byte) {
	e, prev, err := decodeEnvelope(msg)
	if err != nil {
		h.log.Error("event bus", "err", err)
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ID <= h.last {
		return
	}
	if prev > h.last {
		h.repairLocked(e.ID)
	}
	h.dispatchLocked(e)
}

// repairLocked hands out the rows between the last event seen and before, which
// the bus did not bring. If they cannot be read, every subscription ends with
// ErrResync so that no client silently misses them.
func (h *Hub) repairLocked(before int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	evs, err := eventsBetween(ctx, h.db.Reader(), h.last, before)
	if err != nil {
		h.log.Error("event bus repair", "after", h.last, "before", before, "err", err)
		for s := range h.subs {
			h.removeLocked(s, ErrResync)
		}
		return
	}
	for _, e := range evs {
		h.dispatchLocked(e)
	}
}

// catchUpBus reads published rows the bus has not brought, for a message lost at
// the tail of the stream.
func (h *Hub) catchUpBus(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	evs, err := publishedAfter(ctx, h.db.Reader(), h.last, h.batch)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Error("event catch-up", "err", err)
		}
		return
	}
	for _, e := range evs {
		h.dispatchLocked(e)
	}
}

// dispatchLocked hands e to every subscription whose scope holds its practice. A
// subscription with a full buffer is ended, never waited for.
func (h *Hub) dispatchLocked(e Event) {
	if e.ID <= h.last {
		return
	}
	h.last = e.ID
	if e.Type == TypeScopeChanged {
		h.refreshLocked()
		return
	}
	for s := range h.subs {
		if !s.scope.Load().holds(e.PracticeID) {
			continue
		}
		select {
		case s.live <- e:
		default:
			h.removeLocked(s, ErrSlowSubscriber)
		}
	}
}

// removeLocked ends s with err; its pump sees the closed channel.
func (h *Hub) removeLocked(s *Subscription, err error) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	s.setErr(err)
	close(s.live)
}

func (h *Hub) refreshLoop(ctx context.Context) {
	tick := time.NewTicker(h.refreshEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			h.refreshScopes(ctx)
		}
	}
}

// refreshScopes re-reads the territory scopes without holding the lock; the result
// is dropped if a scope change was handled meanwhile, as it may predate it.
func (h *Hub) refreshScopes(ctx context.Context) {
	h.mu.Lock()
	gen, subs := h.scopeGen, h.territorySubsLocked()
	h.mu.Unlock()
	scopes, failed := h.resolveScopes(ctx, subs)
	h.mu.Lock()
	defer h.mu.Unlock()
	if gen == h.scopeGen {
		h.installLocked(subs, scopes, failed)
	}
}

// refreshLocked re-reads the territory scopes before the next event is handed
// out, so events after a scope change follow the new scope.
func (h *Hub) refreshLocked() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.scopeGen++
	subs := h.territorySubsLocked()
	scopes, failed := h.resolveScopes(ctx, subs)
	h.installLocked(subs, scopes, failed)
}

func (h *Hub) territorySubsLocked() map[string][]*Subscription {
	byUser := map[string][]*Subscription{}
	for s := range h.subs {
		if s.principal.Role.Scope() == domain.ScopeTerritories {
			byUser[s.principal.UserID] = append(byUser[s.principal.UserID], s)
		}
	}
	return byUser
}

// resolveScopes reads each user's practices once; failed says whether any read
// failed.
func (h *Hub) resolveScopes(ctx context.Context,
	byUser map[string][]*Subscription) (map[string]*scopeSet, bool) {
	out, failed := map[string]*scopeSet{}, false
	for user := range byUser {
		ps, err := practicesInScope(ctx, h.db.Reader(), user)
		if err != nil {
			h.log.Error("event scope refresh", "err", err)
			failed = true
			continue
		}
		out[user] = &scopeSet{practices: ps}
	}
	return out, failed
}

// installLocked gives each subscription its user's new scope. A subscription
// whose scope could not be read is ended with ErrResync rather than left with a
// scope that may be too wide; its client reconnects.
func (h *Hub) installLocked(byUser map[string][]*Subscription, scopes map[string]*scopeSet,
	failed bool) {
	for user, subs := range byUser {
		for _, s := range subs {
			if sc, ok := scopes[user]; ok {
				s.scope.Store(sc)
			} else if failed {
				h.removeLocked(s, ErrResync)
			}
		}
	}
}
