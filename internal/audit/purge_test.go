package audit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func at(db *store.DB, t time.Time) { db.Now = func() time.Time { return t } }

// mustOldChain appends entries 1..5 in March 2019 and 6..10 in June 2020, with a
// checkpoint after each half.
func mustOldChain(t *testing.T, db *store.DB) chainEnv {
	t.Helper()
	env := chainEnv{db: db, signer: MustSigner(t), logPath: logPathIn(t)}
	at(db, date(2019, 3, 1))
	MustAppend(t, db, 0, 5)
	MustCheckpoint(t, db, env.signer, env.logPath)
	at(db, date(2020, 6, 1))
	MustAppend(t, db, 5, 10)
	MustCheckpoint(t, db, env.signer, env.logPath)
	return env
}

func TestPurgeRefusesYoungEntries(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustOldChain(t, db)
		at(db, date(2026, 6, 2))
		_, err := Purge(context.Background(), db, env.signer, date(2020, 6, 3), env.logPath)
		if !errors.Is(err, ErrRetention) {
			t.Fatalf("Purge = %v, want ErrRetention", err)
		}
		if n := len(MustRecords(t, db)); n != 10 {
			t.Errorf("%d entries left, want 10", n)
		}
	})
}

func TestPurgeKeepsChainVerifiable(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustOldChain(t, db)
		at(db, date(2026, 12, 1))
		a, err := Purge(context.Background(), db, env.signer, date(2020, 1, 1), env.logPath)
		if err != nil || a.Seq != 5 || a.Kind != KindAnchor {
			t.Fatalf("Purge = %+v, %v; want an anchor at seq 5", a, err)
		}
		rep := MustVerify(t, db, env.signer, env.logPath)
		if !rep.OK() || rep.FirstSeq != 6 || rep.Entries != 5 || rep.Anchors != 1 {
			t.Fatalf("after purge: report %+v, want OK from seq 6", rep)
		}
		MustExec(t, db, `DELETE FROM audit_entries WHERE seq = 6`)
		rep = MustVerify(t, db, env.signer, env.logPath)
		if p, _ := rep.FirstBad(); p.Seq != 1 {
			t.Errorf("deleting the first retained entry: first problem %v, want seq 1", p)
		}
	})
}

func TestPurgeEverythingThenAppend(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustOldChain(t, db)
		at(db, date(2027, 1, 1))
		a, err := Purge(context.Background(), db, env.signer, date(2021, 1, 1), env.logPath)
		if err != nil || a.Seq != 10 {
			t.Fatalf("Purge = %+v, %v; want an anchor at seq 10", a, err)
		}
		if rep := MustVerify(t, db, env.signer, env.logPath); !rep.OK() || rep.Entries != 0 {
			t.Fatalf("all purged: report %+v, want OK and empty", rep)
		}
		a, err = Purge(context.Background(), db, env.signer, date(2021, 1, 1), env.logPath)
		if err != nil || a.Seq != 0 {
			t.Errorf("second Purge = %+v, %v; want nothing to do", a, err)
		}
		MustAppend(t, db, 10, 12)
		rep := MustVerify(t, db, env.signer, env.logPath)
		if !rep.OK() || rep.FirstSeq != 11 || rep.LastSeq != 12 {
			t.Errorf("appended after purge: report %+v, want OK seq 11..12", rep)
		}
	})
}

func TestVerifyRejectsEarlyAnchor(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	env := mustOldChain(t, db)
	recs := MustRecords(t, db)
	a, err := sign(context.Background(), env.signer, SignedCheckpoint{Kind: KindAnchor,
		Seq: 5, Hash: recs[4].Hash, At: date(2021, 1, 1), PurgedBefore: date(2020, 1, 1)})
	if err != nil {
		t.Fatal(err)
	}
	MustExecArgs(t, db, `INSERT INTO audit_anchors
		(seq, hash, purged_before, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
		a.Seq, a.Hash, a.PurgedBefore, a.At, a.KeyID, a.Signature)
	MustExec(t, db, `DELETE FROM audit_entries WHERE seq <= 5`)
	rep := MustVerify(t, db, env.signer, "")
	if p, _ := rep.FirstBad(); p.Seq != 5 {
		t.Errorf("first problem %v, want the anchor at seq 5 (cut younger than 6 years)", p)
	}
}
