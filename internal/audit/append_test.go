package audit

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func TestAppendStoresWhatWasGiven(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := testEntry(1)
		e.Reason, e.Severity, e.Outcome = "break-glass: emergency", SeverityHigh, OutcomeDenied
		var seq int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			seq, err = Append(ctx, tx, e)
			return err
		})
		if err != nil || seq != 1 {
			t.Fatalf("Append = %d, %v; want 1, nil", seq, err)
		}
		got := MustRecords(t, db)
		if len(got) != 1 {
			t.Fatalf("%d records, want 1", len(got))
		}
		if diff := cmp.Diff(e, got[0].Entry); diff != "" {
			t.Errorf("stored entry (-want +got):\n%s", diff)
		}
		if !cmp.Equal(got[0].PrevHash, GenesisHash) || !cmp.Equal(got[0].Hash, HashRecord(got[0])) {
			t.Error("entry 1 does not follow the genesis hash or its hash is wrong")
		}
	})
}

func TestAppendRolledBackLeavesNoTrace(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		MustAppend(t, db, 0, 2)
		boom := errors.New("work failed")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := Append(ctx, tx, testEntry(5)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the work's error", err)
		}
		MustAppend(t, db, 2, 3)
		rep := MustVerify(t, db, MustSigner(t), "")
		if !rep.OK() || rep.LastSeq != 3 {
			t.Errorf("report = %+v, want OK with 3 entries", rep)
		}
	})
}

func TestAppendBatch(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		MustAppend(t, db, 0, 1)
		es := make([]Entry, 250)
		for i := range es {
			es[i] = testEntry(i)
		}
		var first, last int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			first, last, err = AppendBatch(ctx, tx, es)
			return err
		})
		if err != nil || first != 2 || last != 251 {
			t.Fatalf("AppendBatch = %d, %d, %v; want 2, 251, nil", first, last, err)
		}
		if rep := MustVerify(t, db, MustSigner(t), ""); !rep.OK() || rep.Entries != 251 {
			t.Errorf("report = %+v, want OK with 251 entries", rep)
		}
	})
}

func TestAppendRejectsBadEntries(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	tests := []struct {
		name string
		edit func(e *Entry)
		want string
	}{
		{"NoAction", func(e *Entry) { e.Action = "" }, "action and resource_type"},
		{"BadOutcome", func(e *Entry) { e.Outcome = "maybe" }, "outcome"},
		{"BadSeverity", func(e *Entry) { e.Severity = "critical" }, "severity"},
		{"FieldWithComma", func(e *Entry) { e.Fields = []string{"a,b"} }, "fields[0]"},
		{"EmptyField", func(e *Entry) { e.Fields = []string{"a", ""} }, "fields[1]"},
		{"FieldValueNotName", func(e *Entry) { e.Fields = []string{"Jane Doe"} }, "fields[0]"},
		{"LongResourceID", func(e *Entry) { e.ResourceID = strings.Repeat("x", 201) }, "resource_id"},
		{"NULInActor", func(e *Entry) { e.ActorID = "a\x00b" }, "actor_id"},
		{"BadUTF8Reason", func(e *Entry) { e.Reason = "\xff" }, "reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testEntry(1)
			e.PatientID = "secret-patient"
			tc.edit(&e)
			err := db.InTx(context.Background(), func(tx *store.Tx) error {
				_, _, err := AppendBatch(context.Background(), tx, []Entry{testEntry(0), e})
				return err
			})
			if !errors.Is(err, ErrInvalidEntry) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want ErrInvalidEntry naming %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "secret-patient") {
				t.Errorf("error quotes a value: %v", err)
			}
		})
	}
	if n := len(MustRecords(t, db)); n != 0 {
		t.Errorf("%d entries written, want 0", n)
	}
}

func TestAppendCutsLongUserAgent(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	e := testEntry(1)
	e.UserAgent = strings.Repeat("é", 400) + "\x00\xff"
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := Append(context.Background(), tx, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := MustRecords(t, db)[0].Entry.UserAgent
	if len(got) != maxUserAgent || got != strings.Repeat("é", maxUserAgent/2) {
		t.Errorf("user agent stored as %d bytes %q..., want 256 runes of é", len(got), got[:8])
	}
}

// TestConcurrentAppends runs 8 writers of 50 transactions each, starting from an
// empty database so they also race to create the head.
func TestConcurrentAppends(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		const writers, each = 8, 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					err := db.InTx(context.Background(), func(tx *store.Tx) error {
						_, err := Append(context.Background(), tx, testEntry(w*each+i))
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rep := MustVerify(t, db, MustSigner(t), "")
		if !rep.OK() || rep.Entries != writers*each || rep.HeadSeq != writers*each {
			t.Errorf("report = %+v, want OK with %d entries", rep, writers*each)
		}
	})
}
