package events

import (
	"context"
	"errors"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/domain"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

const waitLong = 20 * time.Second

// writeConcurrently has writers goroutines each commit txs transactions of one to
// three events at random practices, holding each transaction open a little after
// its Write so commits interleave, then writes one sentinel per practice. It
// returns every event written, in id order.
func writeConcurrently(tb testing.TB, db *store.DB, h *Hub, w *world,
	writers, txs int) []Event {
	tb.Helper()
	var mu sync.Mutex
	var all []Event
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for i := range txs {
				evs, err := writeRandomTx(db, w, r, g*1000+i)
				if err != nil {
					errs <- err
					return
				}
				h.Notify()
				mu.Lock()
				all = append(all, evs...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatalf("concurrent write: %v", err)
	}
	for i, p := range w.practices {
		all = append(all, MustWrite(tb, db, h, testEvent(p, 900000+i))...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	return all
}

func writeRandomTx(db *store.DB, w *world, r *rand.Rand, n int) ([]Event, error) {
	var out []Event
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for k := range 1 + r.IntN(3) {
			e := testEvent(w.practices[r.IntN(len(w.practices))], n*10+k)
			id, err := Write(context.Background(), tx, e)
			if err != nil {
				return err
			}
			e.ID = id
			out = append(out, e)
		}
		time.Sleep(time.Duration(r.IntN(1500)) * time.Microsecond)
		return nil
	})
	return out, err
}

// checkStreams compares every subscription's stream with the oracle, then checks
// that nothing more arrives.
func checkStreams(t *testing.T, w *world, subs map[string]*Subscription, all []Event) {
	t.Helper()
	want := map[string][]int64{}
	for name := range subs {
		want[name] = w.expected(w.users[name], all)
	}
	got := collectAll(subs, want, waitLong)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("streams differ from the scope oracle (-want +got):\n%s", diff)
	}
	time.Sleep(100 * time.Millisecond)
	for name, s := range subs {
		select {
		case e, ok := <-s.Events():
			if ok {
				t.Errorf("%s: unexpected extra event %d", name, e.ID)
			}
		default:
		}
	}
}

func TestScopeIsolationUnderConcurrentWriters(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := MustStartHub(t, db, NewLocalBus())
		subs := map[string]*Subscription{}
		for name, p := range w.users {
			subs[name] = MustSubscribe(t, h, p, -1)
		}
		all := writeConcurrently(t, db, h, w, 6, 25)
		checkStreams(t, w, subs, all)
		if got := len(w.expected(w.users["rep-east"], all)); got == 0 ||
			got == len(all) {
			t.Fatalf("rep-east expects %d of %d events: the test does not separate scopes",
				got, len(all))
		}
	})
}

func TestResumeAfter(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		var before []Event
		for i := range 40 {
			before = append(before, MustWrite(t, db, nil,
				testEvent(w.practices[i%len(w.practices)], i))...)
		}
		h := MustStartHub(t, db, NewLocalBus())
		// Resume from the middle of the history while writers keep writing: the
		// replay and the live stream must join with no gap and no duplicate.
		after := before[17].ID
		subs := map[string]*Subscription{}
		for name, p := range w.users {
			subs[name] = MustSubscribe(t, h, p, after)
		}
		all := append(before, writeConcurrently(t, db, h, w, 4, 15)...)
		var tail []Event
		for _, e := range all {
			if e.ID > after {
				tail = append(tail, e)
			}
		}
		checkStreams(t, w, subs, tail)
	})
}

func TestResumeReplaysOnlyInScopeRows(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		var all []Event
		for i := range 60 {
			all = append(all, MustWrite(t, db, nil,
				testEvent(w.practices[i%len(w.practices)], i))...)
		}
		for name, p := range w.users {
			got, err := replay(context.Background(), db.Reader(), p, 0, 1000)
			if err != nil {
				t.Fatalf("%s: replay: %v", name, err)
			}
			ids := []int64{}
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if diff := cmp.Diff(w.expected(p, all), ids); diff != "" {
				t.Errorf("%s: replay rows (-want +got):\n%s", name, diff)
			}
		}
	})
}

func TestSlowSubscriberIsDisconnected(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := NewHub(db, NewLocalBus(), nil)
		h.buffer = 8
		h.poll = 20 * time.Millisecond
		runHub(t, h)
		slow := MustSubscribe(t, h, w.users["admin"], -1)
		fast := MustSubscribe(t, h, w.users["admin"], -1)
		var all []Event
		done := make(chan []int64)
		go func() { done <- collect(fast, 50, waitLong) }()
		for i := range 50 {
			all = append(all, MustWrite(t, db, h, testEvent("P-NYNJ", i))...)
		}
		if diff := cmp.Diff(w.expected(w.users["admin"], all), <-done); diff != "" {
			t.Errorf("fast subscriber (-want +got):\n%s", diff)
		}
		// The slow one holds what its buffers took, then its stream ends.
		got := collect(slow, 50, waitLong)
		if len(got) >= 50 {
			t.Fatalf("slow subscriber got all %d events; want it cut off", len(got))
		}
		if _, ok := <-slow.Events(); ok {
			t.Fatal("slow subscriber's stream still open")
		}
		if err := slow.Err(); !errors.Is(err, ErrSlowSubscriber) {
			t.Errorf("slow.Err() = %v, want ErrSlowSubscriber", err)
		}
		// It resumes from its last id and misses nothing.
		again := MustSubscribe(t, h, w.users["admin"], got[len(got)-1])
		rest := collect(again, 50-len(got), waitLong)
		if diff := cmp.Diff(w.expected(w.users["admin"], all), append(got, rest...)); diff != "" {
			t.Errorf("slow subscriber after resuming (-want +got):\n%s", diff)
		}
	})
}

// runHub runs h until the test ends.
func runHub(tb testing.TB, h *Hub) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	<-h.ready
}

func TestScopeChangeStopsDelivery(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := MustStartHub(t, db, NewLocalBus())
		east := MustSubscribe(t, h, w.users["rep-east"], -1)
		west := MustSubscribe(t, h, w.users["dist-west"], -1)
		neweng := MustSubscribe(t, h, w.users["rep-neweng"], -1)
		first := MustWrite(t, db, h, testEvent("P-NYNJ", 1), testEvent("P-NEWENG", 2))
		// Move P-NYNJ to the West and take NEWENG from its rep, with the signal in
		// the same transaction.
		ctx := context.Background()
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if err := store.MovePractice(ctx, tx, "P-NYNJ", "CANV", 0); err != nil {
				return err
			}
			if err := store.SetUserTerritories(ctx, tx, "U-rep-neweng", nil); err != nil {
				return err
			}
			_, err := Write(ctx, tx, Event{Type: TypeScopeChanged,
				Resource: Resource{Type: "organization", ID: "P-NYNJ"}, PracticeID: "P-NYNJ"})
			return err
		})
		if err != nil {
			t.Fatalf("move practice: %v", err)
		}
		second := MustWrite(t, db, h, testEvent("P-NYNJ", 3), testEvent("P-NEWENG", 4),
			testEvent("P-EAST", 5))
		checks := []struct {
			name string
			sub  *Subscription
			want []int64
		}{
			{"rep-east", east, []int64{first[0].ID, first[1].ID, second[1].ID, second[2].ID}},
			{"dist-west", west, []int64{second[0].ID}},
			{"rep-neweng", neweng, []int64{first[1].ID}},
		}
		for _, c := range checks {
			got := collect(c.sub, len(c.want), waitLong)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
		// The sentinel on P-EAST reached rep-east after the moved practice's event,
		// so rep-neweng and dist-west would have had any leak by now.
		for _, c := range checks[1:] {
			select {
			case e := <-c.sub.Events():
				t.Errorf("%s: unexpected event %d", c.name, e.ID)
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// countingBus counts how often each event id is published.
type countingBus struct {
	Bus
	mu    sync.Mutex
	count map[int64]int
}

func (b *countingBus) Publish(ctx context.Context, msgs [][]byte) error {
	b.mu.Lock()
	for _, m := range msgs {
		e, _, err := decodeEnvelope(m)
		if err == nil {
			b.count[e.ID]++
		}
	}
	b.mu.Unlock()
	return b.Bus.Publish(ctx, msgs)
}

func TestTwoRelaysPublishEachRowOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		bus := &countingBus{Bus: NewLocalBus(), count: map[int64]int{}}
		a := MustStartHub(t, db, bus)
		b := MustStartHub(t, db, bus)
		subA := MustSubscribe(t, a, w.users["admin"], -1)
		subB := MustSubscribe(t, b, w.users["rep-east"], -1)
		var all []Event
		for i := range 120 {
			hub := a
			if i%2 == 1 {
				hub = b
			}
			all = append(all, MustWrite(t, db, hub, testEvent(w.practices[i%6], i))...)
		}
		checkStreams(t, w, map[string]*Subscription{"admin": subA, "rep-east": subB}, all)
		bus.mu.Lock()
		defer bus.mu.Unlock()
		for _, e := range all {
			if n := bus.count[e.ID]; n != 1 {
				t.Errorf("event %d published %d times, want 1", e.ID, n)
			}
		}
	})
}

func TestSubscribeRefusesUnknownRole(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		h := MustStartHub(t, db, NewLocalBus())
		_, err := h.Subscribe(context.Background(), domain.System, -1)
		if domain.ErrorCode(err) != domain.CodeForbidden {
			t.Errorf("Subscribe(system) error = %v, want forbidden", err)
		}
	})
}

func TestHubShutdownEndsSubscriptions(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := NewHub(db, NewLocalBus(), nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { h.Run(ctx); close(done) }()
		s := MustSubscribe(t, h, w.users["admin"], -1)
		cancel()
		<-done
		if _, ok := <-s.Events(); ok {
			t.Fatal("stream still open after shutdown")
		}
		if !errors.Is(s.Err(), ErrClosed) {
			t.Errorf("Err() = %v, want ErrClosed", s.Err())
		}
		if _, err := h.Subscribe(context.Background(), w.users["admin"], -1); !errors.Is(err, ErrClosed) {
			t.Errorf("Subscribe after shutdown: %v, want ErrClosed", err)
		}
	})
}

func TestPeriodicScopeRefresh(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := NewHub(db, NewLocalBus(), nil)
		h.poll, h.refreshEvery = 20*time.Millisecond, 50*time.Millisecond
		runHub(t, h)
		sub := MustSubscribe(t, h, w.users["rep-neweng"], -1)
		first := MustWrite(t, db, h, testEvent("P-NEWENG", 1))
		if diff := cmp.Diff([]int64{first[0].ID}, collect(sub, 1, waitLong)); diff != "" {
			t.Fatalf("before unassignment (-want +got):\n%s", diff)
		}
		// Unassigned without a scope.changed event: the periodic re-read catches it.
		ctx := context.Background()
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			return store.SetUserTerritories(ctx, tx, "U-rep-neweng", []string{"SW"})
		}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		second := MustWrite(t, db, h, testEvent("P-NEWENG", 2), testEvent("P-SW", 3))
		if diff := cmp.Diff([]int64{second[1].ID}, collect(sub, 1, waitLong)); diff != "" {
			t.Errorf("after unassignment (-want +got):\n%s", diff)
		}
	})
}

func TestRunTwiceFails(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		h := MustStartHub(t, db, NewLocalBus())
		if err := h.Run(context.Background()); err == nil {
			t.Error("second Run succeeded")
		}
	})
}

// deafBus takes messages and never delivers them.
type deafBus struct{ Bus }

func (deafBus) Subscribe(func([]byte)) (func(), error) { return func() {}, nil }

// TestLostTailIsCaughtUp loses every bus message: the poll reads the published rows
// the bus never brought.
func TestLostTailIsCaughtUp(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		w := MustWorld(t, db)
		h := MustStartHub(t, db, deafBus{NewLocalBus()})
		sub := MustSubscribe(t, h, w.users["staff-sw"], -1)
		var all []Event
		for i := range 12 {
			all = append(all, MustWrite(t, db, h, testEvent(w.practices[i%6], i))...)
		}
		want := w.expected(w.users["staff-sw"], all)
		if diff := cmp.Diff(want, collect(sub, len(want), waitLong)); diff != "" {
			t.Errorf("stream without a bus (-want +got):\n%s", diff)
		}
	})
}

func TestRunFailsWithoutDatabase(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	h := NewHub(db, NewLocalBus(), nil)
	db.Close()
	if err := h.Run(context.Background()); err == nil {
		t.Fatal("Run on a closed database succeeded")
	}
	p := domain.Principal{UserID: "u", Role: domain.RoleAdmin}
	if _, err := h.Subscribe(context.Background(), p, -1); !errors.Is(err, ErrClosed) {
		t.Errorf("Subscribe after a failed Run: %v, want ErrClosed", err)
	}
}
