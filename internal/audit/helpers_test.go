package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/openivr/ivr/internal/store"
)

// MustSigner returns a signer with a fresh key.
func MustSigner(tb testing.TB) *KeyFile {
	tb.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return NewKeyFile(key)
}

// testEntry returns a valid entry numbered i, spread over four patients.
func testEntry(i int) Entry {
	return Entry{
		ActorID: fmt.Sprintf("user-%d", i%3), ActorRole: "ivr_specialist",
		SessionID: "sess-1", IP: "203.0.113.7", UserAgent: "test-agent/1.0",
		Action: "patient.read", ResourceType: "patient",
		ResourceID: fmt.Sprintf("pat-%d", i%4), PatientID: fmt.Sprintf("pat-%d", i%4),
		Fields: []string{"name", "birth_date"}, Outcome: OutcomeSuccess,
	}
}

// MustAppend appends entries from..to-1 (testEntry numbering), each in its own
// transaction.
func MustAppend(tb testing.TB, db *store.DB, from, to int) {
	tb.Helper()
	for i := from; i < to; i++ {
		err := db.InTx(context.Background(), func(tx *store.Tx) error {
			_, err := Append(context.Background(), tx, testEntry(i))
			return err
		})
		if err != nil {
			tb.Fatalf("append %d: %v", i, err)
		}
	}
}

// MustCheckpoint checkpoints the head into the database and logPath.
func MustCheckpoint(tb testing.TB, db *store.DB, s Signer, logPath string) SignedCheckpoint {
	tb.Helper()
	c, err := Checkpoint(context.Background(), db, s, logPath)
	if err != nil {
		tb.Fatalf("checkpoint: %v", err)
	}
	return c
}

// MustExec runs statements in one write transaction (the attacker's access).
func MustExec(tb testing.TB, db *store.DB, stmts ...string) {
	tb.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(context.Background(), s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// MustRecords returns every entry in seq order.
func MustRecords(tb testing.TB, db *store.DB) []Record {
	tb.Helper()
	rows, err := db.Reader().QueryContext(context.Background(),
		`SELECT `+entryColumns+` FROM audit_entries ORDER BY seq`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// MustRewriteChain replaces every entry with edit(records), relinked and rehashed
// with the public algorithm, and moves the head to the new end: what an attacker
// with write access and this source code can do without the signing key.
func MustRewriteChain(tb testing.TB, db *store.DB, edit func([]Record) []Record) {
	tb.Helper()
	recs := edit(MustRecords(tb, db))
	prev := GenesisHash
	for i := range recs {
		recs[i].Seq, recs[i].PrevHash = int64(i+1), prev
		recs[i].Hash = HashRecord(recs[i])
		prev = recs[i].Hash
	}
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.ExecContext(context.Background(), `DELETE FROM audit_entries`); err != nil {
			return err
		}
		if err := insertRecords(context.Background(), tx, tx.Dialect, recs); err != nil {
			return err
		}
		return setHead(context.Background(), tx, int64(len(recs)), prev)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// MustVerify verifies db against s's key and the log, failing on operational
// errors only.
func MustVerify(tb testing.TB, db *store.DB, s Signer, logPath string) Report {
	tb.Helper()
	rep, err := Verify(context.Background(), db, s.PublicKey(),
		VerifyOptions{LogPath: logPath, ChunkSize: 3})
	if err != nil && rep.OK() {
		tb.Fatalf("verify: %v", err)
	}
	if (err == nil) != rep.OK() {
		tb.Fatalf("verify: error %v but report OK = %v", err, rep.OK())
	}
	return rep
}

func logPathIn(tb testing.TB) string { return filepath.Join(tb.TempDir(), LogFileName) }

// MustExecArgs runs one statement with arguments in a write transaction.
func MustExecArgs(tb testing.TB, db *store.DB, stmt string, args ...any) {
	tb.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), stmt, args...)
		return err
	})
	if err != nil {
		tb.Fatalf("%s: %v", stmt, err)
	}
}

func mustInsert(tb testing.TB, db *store.DB, recs ...Record) {
	tb.Helper()
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		return insertRecords(context.Background(), tx, tx.Dialect, recs)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func mustInsertCheckpoint(tb testing.TB, db *store.DB, c SignedCheckpoint) {
	tb.Helper()
	MustExecArgs(tb, db, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature)
		VALUES ($1, $2, $3, $4, $5)`, c.Seq, c.Hash, c.At, c.KeyID, c.Signature)
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }
