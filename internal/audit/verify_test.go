package audit

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

// chainEnv is a chain of 10 entries with signed checkpoints at seq 6 and 10, in the
// database and in the shipped log.
type chainEnv struct {
	db      *store.DB
	signer  *KeyFile
	logPath string
}

func mustChain(t *testing.T, db *store.DB) chainEnv {
	t.Helper()
	env := chainEnv{db: db, signer: MustSigner(t), logPath: logPathIn(t)}
	MustAppend(t, db, 0, 6)
	MustCheckpoint(t, db, env.signer, env.logPath)
	MustAppend(t, db, 6, 10)
	MustCheckpoint(t, db, env.signer, env.logPath)
	return env
}

func TestVerifyCleanChain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustChain(t, db)
		rep := MustVerify(t, db, env.signer, env.logPath)
		want := Report{Entries: 10, FirstSeq: 1, LastSeq: 10, HeadSeq: 10,
			Checkpoints: 2, LogCheckpoints: 2}
		if !rep.OK() || rep.Entries != want.Entries || rep.LastSeq != want.LastSeq ||
			rep.HeadSeq != want.HeadSeq || rep.Checkpoints != 2 || rep.LogCheckpoints != 2 {
			t.Errorf("report = %+v, want %+v", rep, want)
		}
	})
}

func TestVerifyEmptyChain(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s := MustSigner(t)
		if rep := MustVerify(t, db, s, ""); !rep.OK() || rep.Entries != 0 {
			t.Errorf("report = %+v, want OK and empty", rep)
		}
		if _, err := Checkpoint(context.Background(), db, s, ""); !errors.Is(err, ErrEmptyChain) {
			t.Errorf("Checkpoint on empty chain: err = %v, want ErrEmptyChain", err)
		}
	})
}

var tamperCases = []struct {
	name      string
	tamper    func(t *testing.T, env chainEnv)
	wantFirst int64
	wantWhat  string
}{
	{"EditField", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `UPDATE audit_entries SET action = 'patient.list' WHERE seq = 4`)
	}, 4, "hash does not match"},
	{"EditFieldAndRehash", func(t *testing.T, env chainEnv) {
		recs := MustRecords(t, env.db)
		r := recs[3]
		r.Entry.Fields = []string{"name"}
		MustExecArgs(t, env.db, `UPDATE audit_entries SET fields = 'name', hash = $1
			WHERE seq = 4`, HashRecord(r))
	}, 5, "prev_hash is not the hash"},
	{"DeleteEntry", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `DELETE FROM audit_entries WHERE seq = 5`)
	}, 5, "entries 5..5 are missing"},
	{"SwapTwoEntries", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `UPDATE audit_entries SET seq = -3 WHERE seq = 3`,
			`UPDATE audit_entries SET seq = 3 WHERE seq = 4`,
			`UPDATE audit_entries SET seq = 4 WHERE seq = -3`)
	}, 3, ""},
	{"ForgedEntryAtTail", func(t *testing.T, env chainEnv) {
		recs := MustRecords(t, env.db)
		last := recs[len(recs)-1]
		f := Record{Seq: 11, ID: "forged", At: last.At, Entry: testEntry(99), PrevHash: last.Hash}
		f.Entry.Severity = SeverityInfo
		f.Hash = HashRecord(f)
		mustInsert(t, env.db, f)
	}, 11, "past the head"},
	{"ForgedEntryChainRewritten", func(t *testing.T, env chainEnv) {
		MustRewriteChain(t, env.db, func(rs []Record) []Record {
			f := rs[4]
			f.ID, f.Entry.ActorID = "forged", "user-innocent"
			return append(rs[:5], append([]Record{f}, rs[5:]...)...)
		})
	}, 6, "names a different hash"},
	{"TruncateTail", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `DELETE FROM audit_entries WHERE seq > 8`,
			`UPDATE audit_head SET seq = 8,
				hash = (SELECT hash FROM audit_entries WHERE seq = 8) WHERE id = 1`)
	}, 9, "the chain ends at seq 8"},
	{"RollbackToOlderCopy", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `DELETE FROM audit_entries WHERE seq > 7`,
			`DELETE FROM audit_checkpoints WHERE seq > 7`,
			`UPDATE audit_head SET seq = 7,
				hash = (SELECT hash FROM audit_entries WHERE seq = 7) WHERE id = 1`)
	}, 8, "(in the log) records seq 10"},
	{"CheckpointTableEmptied", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `DELETE FROM audit_checkpoints`)
	}, 6, "missing from the database"},
	{"ForgedCheckpointSignature", func(t *testing.T, env chainEnv) {
		forged := MustSigner(t)
		c, err := sign(context.Background(), forged, SignedCheckpoint{Kind: KindCheckpoint,
			Seq: 3, Hash: MustRecords(t, env.db)[2].Hash, At: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		mustInsertCheckpoint(t, env.db, c)
	}, 3, "invalid signature"},
	{"AlteredCheckpointSignature", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `UPDATE audit_checkpoints SET signature = hash WHERE seq = 6`)
	}, 6, "invalid signature"},
	{"CheckpointWithWrongHash", func(t *testing.T, env chainEnv) {
		c, err := sign(context.Background(), env.signer, SignedCheckpoint{Kind: KindCheckpoint,
			Seq: 2, Hash: MustRecords(t, env.db)[2].Hash, At: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		mustInsertCheckpoint(t, env.db, c)
	}, 2, "names a different hash"},
	{"HeadHashAltered", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `UPDATE audit_head SET hash = (SELECT hash FROM audit_entries
			WHERE seq = 9) WHERE id = 1`)
	}, 10, "head's hash"},
	{"ForgedLineInShippedLog", func(t *testing.T, env chainEnv) {
		f, err := sign(context.Background(), MustSigner(t), SignedCheckpoint{Kind: KindCheckpoint,
			Seq: 40, Hash: GenesisHash, At: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		if err := AppendLog(env.logPath, f); err != nil {
			t.Fatal(err)
		}
	}, 40, "in the log has an invalid signature"},
	{"OldestEntriesDeletedWithoutAnchor", func(t *testing.T, env chainEnv) {
		MustExec(t, env.db, `DELETE FROM audit_entries WHERE seq <= 2`)
	}, 1, "no signed purge anchor"},
}

func TestVerifyDetectsTampering(t *testing.T) {
	for _, tc := range tamperCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
				env := mustChain(t, db)
				tc.tamper(t, env)
				rep := MustVerify(t, db, env.signer, env.logPath)
				first, ok := rep.FirstBad()
				if !ok {
					t.Fatalf("tampering not detected: %+v", rep)
				}
				if first.Seq != tc.wantFirst || !strings.Contains(first.What, tc.wantWhat) {
					t.Errorf("first problem = %v, want seq %d containing %q (all: %v)",
						first, tc.wantFirst, tc.wantWhat, rep.Problems)
				}
			})
		})
	}
}

// Without the shipped log, a database restored from an older copy (checkpoints
// included) is consistent with itself: the log is what catches it.
func TestRollbackNeedsTheLog(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustChain(t, db)
		MustExec(t, db, `DELETE FROM audit_entries WHERE seq > 7`,
			`DELETE FROM audit_checkpoints WHERE seq > 7`,
			`UPDATE audit_head SET seq = 7,
				hash = (SELECT hash FROM audit_entries WHERE seq = 7) WHERE id = 1`)
		if rep := MustVerify(t, db, env.signer, ""); !rep.OK() {
			t.Errorf("without the log: problems %v, want none", rep.Problems)
		}
		if rep := MustVerify(t, db, env.signer, env.logPath); rep.OK() {
			t.Error("with the log: rollback not detected")
		}
	})
}

func TestVerifyReturnsErrTampered(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		env := mustChain(t, db)
		MustExec(t, db, `UPDATE audit_entries SET ip = '198.51.100.1' WHERE seq = 7`)
		_, err := Verify(context.Background(), db, env.signer.PublicKey(), VerifyOptions{})
		if !errors.Is(err, ErrTampered) || !strings.Contains(err.Error(), "seq 7") {
			t.Errorf("err = %v, want ErrTampered naming seq 7", err)
		}
	})
}

func TestVerifyBadInput(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	if _, err := Verify(context.Background(), db, []byte("short"), VerifyOptions{}); err == nil {
		t.Error("short public key: no error")
	}
	s := MustSigner(t)
	path := logPathIn(t)
	if err := writeFile(path, "{not json}\n"); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(context.Background(), db, s.PublicKey(), VerifyOptions{LogPath: path})
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad log: err = %v, want one naming line 1", err)
	}
}
