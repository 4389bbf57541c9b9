package loadgen

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestPercentileExact: values under 128 ns land in buckets of width one, so nearest
// rank percentiles are exact.
func TestPercentileExact(t *testing.T) {
	var h Histogram
	for v := 100; v >= 1; v-- {
		h.Record(time.Duration(v))
	}
	got := map[float64]time.Duration{}
	for _, p := range []float64{0, 1, 50, 90, 99, 99.9, 100} {
		got[p] = h.Percentile(p)
	}
	want := map[float64]time.Duration{0: 1, 1: 1, 50: 50, 90: 90, 99: 99, 99.9: 100, 100: 100}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("percentiles (-want +got):\n%s", diff)
	}
	if h.Min() != 1 || h.Max() != 100 || h.Count() != 100 {
		t.Errorf("min %v max %v count %d, want 1 100 100", h.Min(), h.Max(), h.Count())
	}
	if h.Mean() != 50 { // 50.5 truncated to whole nanoseconds
		t.Errorf("mean %v, want 50ns", h.Mean())
	}
}

// TestPercentileRelativeError: 1 ms … 10 s in 1 ms steps; each percentile is within
// the 1/128 bucket width of the true nearest-rank value and never below it.
func TestPercentileRelativeError(t *testing.T) {
	var h Histogram
	const n = 10000
	for i := 1; i <= n; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	for _, p := range []float64{50, 90, 99, 99.9} {
		exact := time.Duration(math.Ceil(p/100*n)) * time.Millisecond
		got := h.Percentile(p)
		if got < exact || float64(got-exact) > float64(exact)/128 {
			t.Errorf("p%v = %v, want within 1/128 above %v", p, got, exact)
		}
	}
	if h.Percentile(100) != 10*time.Second {
		t.Errorf("p100 = %v, want the max 10s", h.Percentile(100))
	}
}

func TestBucketBounds(t *testing.T) {
	prevHi := int64(-1)
	for i := 0; i < numBuckets; i++ {
		lo, hi := bucketBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, want %d (no gap, no overlap)", i, lo, prevHi+1)
		}
		if bucketOf(lo) != i || bucketOf(hi) != i {
			t.Fatalf("bucket %d: bounds %d..%d map to %d..%d", i, lo, hi,
				bucketOf(lo), bucketOf(hi))
		}
		if lo >= subCount && float64(hi-lo+1)/float64(lo) > 1.0/subCount {
			t.Fatalf("bucket %d: width %d too wide for %d", i, hi-lo+1, lo)
		}
		if hi == math.MaxInt64 {
			return
		}
		prevHi = hi
	}
	t.Fatalf("buckets end at %d, before the largest duration", prevHi)
}

func TestHistogramEdges(t *testing.T) {
	var empty Histogram
	if empty.Percentile(50) != 0 || empty.Mean() != 0 || empty.Max() != 0 {
		t.Error("empty histogram should report zeros")
	}
	var a, b Histogram
	a.Record(-5)
	a.Record(3 * time.Millisecond)
	b.Record(time.Hour)
	a.Merge(&b)
	a.Merge(&empty)
	if a.Count() != 3 || a.Min() != 0 || a.Max() != time.Hour {
		t.Errorf("merged count %d min %v max %v, want 3 0s 1h", a.Count(), a.Min(), a.Max())
	}
	if got := a.Percentile(150); got != time.Hour {
		t.Errorf("p150 (clamped to 100) = %v, want 1h", got)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i%5_000_000) * time.Microsecond / 100)
	}
}
