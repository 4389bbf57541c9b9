package audit

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// BenchmarkAppendConcurrent measures committed single-entry transactions with 8
// writers (GOMAXPROCS × 4) on each engine; one op is one transaction.
func BenchmarkAppendConcurrent(b *testing.B) {
	for _, d := range storetest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.MustOpen(b, d)
			ctx := context.Background()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for i := 0; pb.Next(); i++ {
					err := db.InTx(ctx, func(tx *store.Tx) error {
						_, err := Append(ctx, tx, testEntry(i))
						return err
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			if rep, err := Verify(ctx, db, MustSigner(b).PublicKey(), VerifyOptions{}); err != nil {
				b.Fatalf("chain after benchmark: %v (%+v)", err, rep.Problems)
			}
		})
	}
}

// BenchmarkAppendBatch100 measures one transaction appending 100 entries.
func BenchmarkAppendBatch100(b *testing.B) {
	db := storetest.MustOpen(b, store.SQLite)
	ctx := context.Background()
	es := make([]Entry, 100)
	for i := range es {
		es[i] = testEntry(i)
	}
	b.ResetTimer()
	for b.Loop() {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, _, err := AppendBatch(ctx, tx, es)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a chain of IVR_AUDIT_BENCH_ENTRIES entries (default one
// million) with a checkpoint every 1000. The chain is built in bulk, in one
// transaction, before the timer starts. Run it with -benchtime=1x.
func BenchmarkVerify(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("IVR_AUDIT_BENCH_ENTRIES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("IVR_AUDIT_BENCH_ENTRIES=%q: want a positive number", s)
		}
	}
	for _, d := range storetest.Engines() {
		b.Run(string(d)+"/"+strconv.Itoa(n), func(b *testing.B) {
			db := storetest.MustOpen(b, d)
			s := MustSigner(b)
			start := time.Now()
			MustBulkChain(b, db, s, n)
			b.Logf("built %d entries in %v", n, time.Since(start).Round(time.Millisecond))
			b.ResetTimer()
			cpu := cpuTime(b)
			for b.Loop() {
				rep, err := Verify(context.Background(), db, s.PublicKey(), VerifyOptions{})
				if err != nil || rep.Entries != int64(n) {
					b.Fatalf("verify: %v, %d entries", err, rep.Entries)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric((cpuTime(b)-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuTime returns the user and system CPU time of the process so far, so the
// figure can be told apart from time lost to other load on the machine.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// MustBulkChain writes a correct chain of n entries, with a signed checkpoint every
// 1000, in one transaction.
func MustBulkChain(tb testing.TB, db *store.DB, s Signer, n int) {
	tb.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		seq, hash := int64(0), GenesisHash
		for seq < int64(n) {
			k := min(1000, n-int(seq))
			es := make([]Entry, k)
			for i := range es {
				es[i] = testEntry(int(seq) + i)
				es[i].Severity = SeverityInfo
			}
			recs, err := chainRecords(seq, hash, tx.Now.Add(time.Duration(seq)*time.Millisecond), es)
			if err != nil {
				return err
			}
			if err := insertRecords(ctx, tx, tx.Dialect, recs); err != nil {
				return err
			}
			seq, hash = recs[k-1].Seq, recs[k-1].Hash
			c, err := sign(ctx, s, SignedCheckpoint{Kind: KindCheckpoint, Seq: seq, Hash: hash, At: tx.Now})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints
				(seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
				c.Seq, c.Hash, c.At, c.KeyID, c.Signature); err != nil {
				return err
			}
		}
		if _, _, err := lockHead(ctx, tx); err != nil {
			return err
		}
		return setHead(ctx, tx, seq, hash)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
