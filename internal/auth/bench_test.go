package auth

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func BenchmarkHash(b *testing.B) {
	h := MustHasher(b, 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "violet-kayak-morning"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h := MustHasher(b, 1)
	ctx := context.Background()
	phc, err := h.Hash(ctx, "violet-kayak-morning")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, "violet-kayak-morning", phc); !ok || err != nil {
			b.Fatal("verify failed", err)
		}
	}
}

func BenchmarkDummyVerify(b *testing.B) {
	h := MustHasher(b, 1)
	ctx := context.Background()
	if err := h.DummyVerify(ctx, "warm-up"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := h.DummyVerify(ctx, "violet-kayak-morning"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConcurrentLogins runs bursts of 20 simultaneous Verify calls and reports
// the latency percentiles seen by each caller (waiting for a slot included) and the
// peak heap in use and memory obtained from the OS, sampled every millisecond. The
// limit sub-benchmarks compare the default slot count with one slot per login.
func BenchmarkConcurrentLogins(b *testing.B) {
	const logins = 20
	for _, limit := range []int{runtime.GOMAXPROCS(0), logins} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			benchBurst(b, MustHasher(b, limit), logins)
		})
	}
}

func benchBurst(b *testing.B, h *Hasher, logins int) {
	ctx := context.Background()
	phc, err := h.Hash(ctx, "violet-kayak-morning")
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	stop, peak := sampleMemory()
	var lat []time.Duration
	var mu sync.Mutex
	for b.Loop() {
		var wg sync.WaitGroup
		for range logins {
			wg.Go(func() {
				start := time.Now()
				ok, _, err := h.Verify(ctx, "violet-kayak-morning", phc)
				d := time.Since(start)
				if !ok || err != nil {
					b.Error("verify failed", err)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	stop()
	slices.Sort(lat)
	for _, q := range []struct {
		name string
		p    float64
	}{{"p50-ms", 0.50}, {"p95-ms", 0.95}, {"p99-ms", 0.99}} {
		b.ReportMetric(float64(percentile(lat, q.p))/1e6, q.name)
	}
	b.ReportMetric(float64(peak.heap.Load())/(1<<20), "peak-heap-inuse-MiB")
	b.ReportMetric(float64(peak.sys.Load())/(1<<20), "peak-sys-MiB")
}

type memPeak struct{ heap, sys atomic.Uint64 }

// sampleMemory records the peak HeapInuse and Sys until stop is called.
func sampleMemory() (stop func(), peak *memPeak) {
	peak = &memPeak{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak.heap.Store(max(peak.heap.Load(), ms.HeapInuse))
			peak.sys.Store(max(peak.sys.Load(), ms.Sys))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }, peak
}

// percentile returns the nearest-rank percentile p of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50}, {0.95, 95}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := percentile(d, tt.p); got != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil) = %v", got)
	}
}
