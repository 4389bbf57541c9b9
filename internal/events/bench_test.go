package events

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// benchBuses are the buses a benchmark runs on: in-process always, NATS when
// IVR_TEST_NATS_URL is set.
func benchBuses(b *testing.B) map[string]func(b *testing.B) Bus {
	out := map[string]func(b *testing.B) Bus{"local": func(*testing.B) Bus { return NewLocalBus() }}
	if os.Getenv("IVR_TEST_NATS_URL") != "" {
		out["nats"] = func(b *testing.B) Bus { bus, _ := MustNATSBus(b); return bus }
	}
	return out
}

func forEachBench(b *testing.B, fn func(b *testing.B, db *store.DB, bus Bus)) {
	for _, d := range storetest.Engines() {
		for name, mk := range benchBuses(b) {
			b.Run(string(d)+"/"+name, func(b *testing.B) {
				fn(b, storetest.MustOpen(b, d), mk(b))
			})
		}
	}
}

// BenchmarkFanout measures the time from a commit to the arrival of its event at
// each of 200 subscribers, one event at a time.
func BenchmarkFanout(b *testing.B) {
	const subscribers = 200
	forEachBench(b, func(b *testing.B, db *store.DB, bus Bus) {
		w := MustWorld(b, db)
		h := MustStartHub(b, db, bus)
		var mu sync.Mutex
		arrived := map[int64][]time.Time{}
		got := make(chan struct{}, subscribers)
		for range subscribers {
			s := MustSubscribe(b, h, w.users["admin"], -1)
			go func() {
				for e := range s.Events() {
					now := time.Now()
					mu.Lock()
					arrived[e.ID] = append(arrived[e.ID], now)
					mu.Unlock()
					got <- struct{}{}
				}
			}()
		}
		committed := map[int64]time.Time{}
		b.ResetTimer()
		for i := range b.N {
			e := MustWrite(b, db, nil, testEvent("P-NYNJ", i))
			committed[e[0].ID] = time.Now()
			h.Notify()
			for range subscribers {
				<-got
			}
		}
		b.StopTimer()
		var lat []time.Duration
		mu.Lock()
		for id, at := range committed {
			for _, t := range arrived[id] {
				lat = append(lat, t.Sub(at))
			}
		}
		mu.Unlock()
		reportPercentiles(b, lat)
	})
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(at(1.00), "max-µs")
}

// BenchmarkRelay measures relay throughput: b.N events already committed are
// read in batches, published, marked and delivered to one subscriber.
func BenchmarkRelay(b *testing.B) {
	forEachBench(b, func(b *testing.B, db *store.DB, bus Bus) {
		w := MustWorld(b, db)
		evs := make([]Event, 0, 500)
		for i := range b.N {
			evs = append(evs, testEvent(w.practices[i%6], i))
			if len(evs) == cap(evs) || i == b.N-1 {
				if _, err := writeAll(db, evs); err != nil {
					b.Fatal(err)
				}
				evs = evs[:0]
			}
		}
		h := NewHub(db, bus, nil)
		h.buffer = b.N + 1 // measure the relay, not the consumer
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop, err := h.start(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer stop()
		s := MustSubscribe(b, h, w.users["admin"], -1)
		done := make(chan int)
		go func() {
			n := 0
			for range s.Events() {
				if n++; n == b.N {
					break
				}
			}
			done <- n
		}()
		b.ResetTimer()
		start := time.Now()
		for total := 0; total < b.N; {
			n, err := h.relayOnce(ctx)
			if err != nil {
				b.Fatal(err)
			}
			total += n
		}
		if n := <-done; n != b.N {
			b.Fatalf("subscriber got %d of %d events", n, b.N)
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	})
}

// BenchmarkWrite measures Write: one event per transaction.
func BenchmarkWrite(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.MustOpen(b, d)
			MustWorld(b, db)
			b.ResetTimer()
			for i := range b.N {
				MustWrite(b, db, nil, testEvent("P-NYNJ", i))
			}
		})
	}
}

// BenchmarkWriteParallel measures Write from 8 concurrent writers (4 per core),
// one event per transaction: the outbox lock serializes them on PostgreSQL.
func BenchmarkWriteParallel(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.MustOpen(b, d)
			MustWorld(b, db)
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					if _, err := writeAll(db, []Event{testEvent("P-NYNJ", i)}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
