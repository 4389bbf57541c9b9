package events

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/openivr/ivr/internal/domain"
)

// scopeSet is the set of practices a subscription receives; all for admins.
type scopeSet struct {
	all       bool
	practices map[string]bool
}

func (s *scopeSet) holds(practiceID string) bool { return s.all || s.practices[practiceID] }

// Subscription is one subscriber's stream of events in its scope, with strictly
// increasing ids. It ends when its context ends, when Close is called, when it
// falls behind, or when the hub stops; Err then says why.
type Subscription struct {
	principal domain.Principal
	scope     atomic.Pointer[scopeSet]
	live      chan Event // from the hub; closed when the hub drops the subscription
	out       chan Event // to the consumer; closed when the pump ends
	cancel    context.CancelFunc
	done      chan struct{}

	errMu sync.Mutex
	err   error
}

// Events returns the stream. It is closed when the subscription ends.
func (s *Subscription) Events() <-chan Event { return s.out }

// Err returns why the stream ended: ErrSlowSubscriber, ErrClosed, ErrResync, a
// database error from the replay, or the context's error. It is nil while the
// stream is open.
func (s *Subscription) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// setErr keeps the first reason.
func (s *Subscription) setErr(err error) {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = err
	}
}

// Close ends the subscription and waits for its goroutine.
func (s *Subscription) Close() {
	s.cancel()
	<-s.done
}

// Subscribe starts a stream of the events inside p's scope: the practice of a
// clinic role, the practices in the subtrees of a territory role's assigned
// territories (re-read every 30 s and after each scope change), everything for an
// admin. With after >= 0 it first replays every event in scope with a greater id
// from the outbox, then continues live with no gap and no duplicate; with
// after < 0 it starts with the next event. The replay applies the scope as it is
// now; live delivery applies the scope as it was at the event's place in the
// stream (a scope.changed event takes effect for the events after it). The
// stream lives until ctx ends or Close is called. It waits for Run to have
// started.
func (h *Hub) Subscribe(ctx context.Context, p domain.Principal,
	after int64) (*Subscription, error) {
	if !p.Role.Valid() || !p.Role.Can(domain.PermEventsSubscribe) {
		return nil, domain.ErrForbidden
	}
	select {
	case <-h.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s := &Subscription{principal: p, live: make(chan Event, h.buffer),
		out: make(chan Event), done: make(chan struct{})}
	if err := h.scopeAndLock(ctx, s); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	replayFirst := after >= 0
	if !replayFirst {
		// Every later event reaches s through the hub, in its stream order.
		after = h.last
	}
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	go h.pump(sctx, s, after, replayFirst)
	return s, nil
}

// scopeAndLock resolves s's scope and returns holding h.mu, with no scope change
// handled since the scope was read.
func (h *Hub) scopeAndLock(ctx context.Context, s *Subscription) error {
	for {
		h.mu.Lock()
		gen := h.scopeGen
		h.mu.Unlock()
		scope, err := h.resolveScope(ctx, s.principal)
		if err != nil {
			return err
		}
		h.mu.Lock()
		if h.closed {
			h.mu.Unlock()
			return ErrClosed
		}
		if gen == h.scopeGen {
			s.scope.Store(scope)
			return nil
		}
		h.mu.Unlock()
	}
}

func (h *Hub) resolveScope(ctx context.Context, p domain.Principal) (*scopeSet, error) {
	switch p.Role.Scope() {
	case domain.ScopeAll:
		return &scopeSet{all: true}, nil
	case domain.ScopePractice:
		return &scopeSet{practices: map[string]bool{p.OrganizationID: true}}, nil
	}
	ps, err := practicesInScope(ctx, h.db.Reader(), p.UserID)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return &scopeSet{practices: ps}, nil
}

// pump replays the outbox after the given id, then forwards live events, dropping
// those already replayed. Live events arriving meanwhile wait in s.live.
func (h *Hub) pump(ctx context.Context, s *Subscription, after int64, replayFirst bool) {
	defer close(s.done)
	defer close(s.out)
	defer h.unsubscribe(s)
	last := after
	if replayFirst {
		var err error
		if last, err = h.replayInto(ctx, s, after); err != nil {
			s.setErr(err)
			return
		}
	}
	for {
		select {
		case <-ctx.Done():
			s.setErr(ctx.Err())
			return
		case e, ok := <-s.live:
			if !ok {
				return
			}
			if e.ID <= last {
				continue
			}
			if !send(ctx, s, e) {
				return
			}
			last = e.ID
		}
	}
}

// replayInto sends the events in scope after the given id, page by page, and
// returns the last id sent.
func (h *Hub) replayInto(ctx context.Context, s *Subscription, after int64) (int64, error) {
	for {
		evs, err := replay(ctx, h.db.Reader(), s.principal, after, h.batch)
		if err != nil {
			if ctx.Err() != nil {
				return after, ctx.Err()
			}
			return after, fmt.Errorf("replay events: %w", err)
		}
		for _, e := range evs {
			if !send(ctx, s, e) {
				return after, ctx.Err()
			}
			after = e.ID
		}
		if len(evs) < h.batch {
			return after, nil
		}
	}
}

func send(ctx context.Context, s *Subscription, e Event) bool {
	select {
	case s.out <- e:
		return true
	case <-ctx.Done():
		s.setErr(ctx.Err())
		return false
	}
}

func (h *Hub) unsubscribe(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.removeLocked(s, context.Canceled)
}
