package audit

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func TestCheckpointStoresAndLogs(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s, path := MustSigner(t), logPathIn(t)
		MustAppend(t, db, 0, 3)
		c := MustCheckpoint(t, db, s, path)
		if c.Seq != 3 || !bytes.Equal(c.Hash, MustRecords(t, db)[2].Hash) || !c.VerifySignature(s.PublicKey()) {
			t.Errorf("checkpoint = %+v, want a valid one at seq 3", c)
		}
		again := MustCheckpoint(t, db, s, path)
		if again.Seq != 3 || !bytes.Equal(again.Signature, c.Signature) {
			t.Errorf("second checkpoint of the same head = %+v, want the stored one", again)
		}
		logged, err := ReadLog(path)
		if err != nil || len(logged) != 1 || !logged[0].VerifySignature(s.PublicKey()) {
			t.Fatalf("log = %+v, %v; want the one checkpoint", logged, err)
		}
		if !logged[0].At.Equal(c.At) {
			t.Errorf("logged time %v, want %v", logged[0].At, c.At)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("log mode = %v, %v; want 0600", fi.Mode().Perm(), err)
		}
	})
}

func TestSignedMessageSeparatesKinds(t *testing.T) {
	s := MustSigner(t)
	c := SignedCheckpoint{Kind: KindCheckpoint, Seq: 5, Hash: GenesisHash, At: time.Unix(9, 0)}
	c, err := sign(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	a := c
	a.Kind = KindAnchor
	if a.VerifySignature(s.PublicKey()) {
		t.Error("a checkpoint's signature verified as an anchor's")
	}
	c.Kind = "other"
	if c.VerifySignature(s.PublicKey()) || c.SignedMessage() != nil {
		t.Error("an unknown kind verified")
	}
}

func TestCheckpointerRun(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		s, path := MustSigner(t), logPathIn(t)
		cp := &Checkpointer{DB: db, Signer: s, LogPath: path, Every: 5,
			Interval: time.Hour, Poll: 5 * time.Millisecond}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- cp.Run(ctx) }()
		MustAppend(t, db, 0, 6)
		waitFor(t, func() bool { c, _ := lastCheckpoint(ctx, db.Reader()); return c.Seq >= 5 })
		MustAppend(t, db, 6, 8) // fewer than Every: only the final checkpoint takes them
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v", err)
		}
		logged, err := ReadLog(path)
		if err != nil || len(logged) < 2 || logged[len(logged)-1].Seq != 8 {
			t.Fatalf("log = %+v, %v; want checkpoints ending at seq 8", logged, err)
		}
		if rep := MustVerify(t, db, s, path); !rep.OK() || rep.Checkpoints != len(logged) {
			t.Errorf("report = %+v", rep)
		}
	})
}

func TestCheckpointerInterval(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	s := MustSigner(t)
	cp := &Checkpointer{DB: db, Signer: s, Every: 1000, Interval: 20 * time.Millisecond,
		Poll: 5 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cp.Run(ctx) }()
	MustAppend(t, db, 0, 2)
	waitFor(t, func() bool { c, _ := lastCheckpoint(ctx, db.Reader()); return c.Seq == 2 })
	cancel()
	<-done
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}

func TestReadLog(t *testing.T) {
	dir := t.TempDir()
	if got, err := ReadLog(filepath.Join(dir, "absent.jsonl")); err != nil || got != nil {
		t.Errorf("missing log = %v, %v; want none, nil", got, err)
	}
	path := filepath.Join(dir, "l.jsonl")
	if err := writeFile(path, "\n"+`{"kind":"checkpoint","seq":1}`+"\n"+`{"kind":"x"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLog(path); err == nil || !strings.Contains(err.Error(), "line 3: unknown kind") {
		t.Errorf("err = %v, want line 3 unknown kind", err)
	}
}
