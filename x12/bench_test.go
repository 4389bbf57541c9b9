package x12

import (
	"bytes"
	"math"
	"testing"
	"time"
)

// benchInterchange returns one interchange holding n copies of the family 271
// (every kind of EB line) as separate transaction sets.
func benchInterchange(tb testing.TB, n int) []byte {
	tb.Helper()
	ic, err := Parse(MustReadFixture(tb, "271_family_pipe_newline.x12"))
	if err != nil {
		tb.Fatal(err)
	}
	g := Group{FunctionalID: "HB", ControlNumber: 1}
	for range n {
		g.Sets = append(g.Sets, TransactionSet{Code: "271", Body: ic.Groups[0].Transactions[0].Body()})
	}
	data, err := Writer{Delimiters: DefaultDelimiters}.Write(testEnvelope(1), g)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// BenchmarkSplitFloor is the floor for reading: a bare split of the same input
// into segments and elements, with no delimiter detection, checks or strings.
func BenchmarkSplitFloor(b *testing.B) {
	data := benchInterchange(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, seg := range bytes.Split(data, []byte{'~'}) {
			n += len(bytes.Split(seg, []byte{'*'}))
		}
		if n == 0 {
			b.Fatal("nothing split")
		}
	}
}

func BenchmarkTokenize(b *testing.B) {
	data := benchInterchange(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Tokenize(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse271(b *testing.B) {
	data := benchInterchange(b, 100)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rs, err := Parse271(data)
		if err != nil || len(rs) != 100 {
			b.Fatalf("Parse271: %d responses, %v", len(rs), err)
		}
	}
}

// benchRequests returns n inquiries alternating subscriber and dependent patients.
func benchRequests(n int) []Request270 {
	reqs := make([]Request270, n)
	for i := range reqs {
		reqs[i] = subscriberRequest()
		if i%2 == 1 {
			reqs[i] = dependentRequest()
		}
	}
	return reqs
}

// BenchmarkJoinFloor is the floor for writing: joining the already-built segments
// of the same 100 inquiries with fixed separators, no validation or envelope.
func BenchmarkJoinFloor(b *testing.B) {
	reqs := benchRequests(100)
	var bodies [][]Segment
	size := 0
	for _, r := range reqs {
		body, err := r.Body270(testTime)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	b.ReportAllocs()
	for b.Loop() {
		var buf bytes.Buffer
		for _, body := range bodies {
			for _, s := range body {
				buf.WriteString(s.ID)
				for _, e := range s.Elements {
					buf.WriteByte('*')
					buf.WriteString(e)
				}
				buf.WriteByte('~')
			}
		}
		size = buf.Len()
	}
	b.SetBytes(int64(size))
}

func BenchmarkBuild270(b *testing.B) {
	reqs := benchRequests(100)
	w := Writer{Delimiters: DefaultDelimiters}
	data, err := Build270(w, testEnvelope(1), reqs...)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build270(w, testEnvelope(1), reqs...); err != nil {
			b.Fatal(err)
		}
	}
}

// compareToFloor runs work and floor alternately b.N times and reports each one's
// fastest run and the ratio of the fastest runs: on a shared, busy machine the
// minimum of interleaved runs is the fairest comparison.
func compareToFloor(b *testing.B, work, floor func()) {
	b.Helper()
	bestWork, bestFloor := time.Duration(math.MaxInt64), time.Duration(math.MaxInt64)
	for b.Loop() {
		start := time.Now()
		floor()
		bestFloor = min(bestFloor, time.Since(start))
		start = time.Now()
		work()
		bestWork = min(bestWork, time.Since(start))
	}
	b.ReportMetric(float64(bestFloor.Microseconds()), "floor-µs")
	b.ReportMetric(float64(bestWork.Microseconds()), "work-µs")
	b.ReportMetric(float64(bestWork)/float64(bestFloor), "x-floor")
}

func BenchmarkParse271VsFloor(b *testing.B) {
	data := benchInterchange(b, 100)
	compareToFloor(b, func() {
		if _, err := Parse271(data); err != nil {
			b.Fatal(err)
		}
	}, func() {
		for _, seg := range bytes.Split(data, []byte{'~'}) {
			_ = bytes.Split(seg, []byte{'*'})
		}
	})
}

func BenchmarkBuild270VsFloor(b *testing.B) {
	reqs := benchRequests(100)
	var bodies [][]Segment
	for _, r := range reqs {
		body, err := r.Body270(testTime)
		if err != nil {
			b.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	w := Writer{Delimiters: DefaultDelimiters}
	compareToFloor(b, func() {
		if _, err := Build270(w, testEnvelope(1), reqs...); err != nil {
			b.Fatal(err)
		}
	}, func() {
		var buf bytes.Buffer
		for _, body := range bodies {
			for _, s := range body {
				buf.WriteString(s.ID)
				for _, e := range s.Elements {
					buf.WriteByte('*')
					buf.WriteString(e)
				}
				buf.WriteByte('~')
			}
		}
	})
}
