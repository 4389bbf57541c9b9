package events

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// MustNATSBus returns a bus on the server of IVR_TEST_NATS_URL with a subject of
// its own, so parallel tests do not hear each other. Without the variable the
// test is skipped, or fails when IVR_REQUIRE_NATS=1.
func MustNATSBus(tb testing.TB) (Bus, string) {
	tb.Helper()
	url := os.Getenv("IVR_TEST_NATS_URL")
	if url == "" {
		if os.Getenv("IVR_REQUIRE_NATS") == "1" {
			tb.Fatal("IVR_REQUIRE_NATS=1 but IVR_TEST_NATS_URL is not set")
		}
		tb.Skip("IVR_TEST_NATS_URL not set")
	}
	b := make([]byte, 8)
	rand.Read(b)
	subject := "test." + hex.EncodeToString(b) + ".events"
	return MustNATSBusOn(tb, url, subject), subject
}

// MustNATSBusOn connects one more bus to subject.
func MustNATSBusOn(tb testing.TB, url, subject string) Bus {
	tb.Helper()
	bus, err := NewNATSBus(url, subject)
	if err != nil {
		tb.Fatalf("nats bus: %v", err)
	}
	tb.Cleanup(func() { bus.Close() })
	return bus
}

// TestNATSTwoInstances runs two hubs on one database and one NATS subject, as two
// instances of the server would: events written through either instance reach the
// subscribers of both, each exactly once and in order.
func TestNATSTwoInstances(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		busA, subject := MustNATSBus(t)
		busB := MustNATSBusOn(t, os.Getenv("IVR_TEST_NATS_URL"), subject)
		w := MustWorld(t, db)
		a := MustStartHub(t, db, busA)
		b := MustStartHub(t, db, busB)
		subs := map[string]*Subscription{}
		for name, p := range w.users {
			hub := a
			if len(name)%2 == 0 {
				hub = b
			}
			subs[name] = MustSubscribe(t, hub, p, -1)
		}
		one := MustWrite(t, db, a, testEvent("P-NYNJ", 1))
		var all []Event
		all = append(all, one...)
		for i := range 80 {
			hub := a
			if i%3 == 0 {
				hub = b
			}
			all = append(all, MustWrite(t, db, hub, testEvent(w.practices[i%6], i+2))...)
		}
		checkStreams(t, w, subs, all)
	})
}

func TestNATSEventFromAReachesBOnce(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		busA, subject := MustNATSBus(t)
		busB := MustNATSBusOn(t, os.Getenv("IVR_TEST_NATS_URL"), subject)
		w := MustWorld(t, db)
		a := NewHub(db, busA, nil)
		// A's relay runs; B only receives (its relay would compete for the rows).
		runHub(t, a)
		b := NewHub(db, busB, nil)
		b.poll = time.Hour
		runHub(t, b)
		sub := MustSubscribe(t, b, w.users["doctor-nynj"], -1)
		written := MustWrite(t, db, a, testEvent("P-NYNJ", 1))
		got := collect(sub, 1, waitLong)
		if diff := cmp.Diff([]int64{written[0].ID}, got); diff != "" {
			t.Fatalf("B's subscriber (-want +got):\n%s", diff)
		}
		select {
		case e := <-sub.Events():
			t.Errorf("event %d delivered again", e.ID)
		case <-time.After(300 * time.Millisecond):
		}
	})
}

// TestNATSGapIsRepaired drops bus messages on their way to B: B reads the missing
// rows back from the outbox when the next message shows the gap.
func TestNATSGapIsRepaired(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		busA, subject := MustNATSBus(t)
		busB := &droppingBus{Bus: MustNATSBusOn(t, os.Getenv("IVR_TEST_NATS_URL"), subject),
			drop: 3}
		w := MustWorld(t, db)
		runHub(t, NewHub(db, busA, nil))
		b := NewHub(db, busB, nil)
		b.poll = time.Hour // no catch-up tick: only the gap repair can help
		runHub(t, b)
		sub := MustSubscribe(t, b, w.users["admin"], -1)
		var all []Event
		for i := range 10 {
			all = append(all, MustWrite(t, db, nil, testEvent(w.practices[i%6], i))...)
		}
		// The ten rows are committed; A's relay publishes them at its next poll.
		got := collect(sub, len(all), waitLong)
		if diff := cmp.Diff(w.expected(w.users["admin"], all), got); diff != "" {
			t.Errorf("B's stream with dropped messages (-want +got):\n%s", diff)
		}
		if busB.dropped == 0 {
			t.Fatal("no message was dropped: the test did not exercise the repair")
		}
	})
}

// droppingBus loses every message after the first, up to drop of them.
type droppingBus struct {
	Bus
	drop, dropped, seen int
}

func (b *droppingBus) Subscribe(handle func([]byte)) (func(), error) {
	return b.Bus.Subscribe(func(m []byte) {
		b.seen++
		if b.seen > 1 && b.dropped < b.drop {
			b.dropped++
			return
		}
		handle(m)
	})
}

func TestNewNATSBusErrors(t *testing.T) {
	if _, err := NewNATSBus("nats://127.0.0.1:1", "ivr.events"); err == nil {
		t.Error("NewNATSBus to a closed port succeeded")
	}
	for _, subject := range []string{"", "ivr.*", "ivr events", "ivr.>"} {
		if _, err := NewNATSBus("nats://127.0.0.1:4222", subject); err == nil {
			t.Errorf("NewNATSBus(subject %q) succeeded", subject)
		}
	}
}
