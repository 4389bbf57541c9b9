package apitest_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/openivr/ivr/internal/apitest"
	"github.com/openivr/ivr/internal/audit"
	"github.com/openivr/ivr/internal/backup"
	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
)

// TestBackupRestore writes a backup of a running demo platform, checks it holds
// no sentinel PHI in the clear, refuses to restore without the master key, then
// restores into an empty dir and reads the data back: the audit chain verifies
// and an encrypted patient decrypts.
func TestBackupRestore(t *testing.T) {
	env := apitest.Start(t, store.SQLite)
	patientID := writeCanaryRecords(t, env)
	file := filepath.Join(t.TempDir(), "ivr.backup")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	st, err := env.App.Backup(context.Background(), f)
	f.Close()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	raw, _ := os.ReadFile(file)
	if bytes.Contains(bytes.ToLower(raw), []byte(sentinel)) {
		t.Fatal("the backup holds PHI in the clear")
	}
	if st.Files < 3 {
		t.Errorf("backup holds %d files, want the database, documents and checkpoints", st.Files)
	}
	open := func(ctx context.Context, dir string) (*phi.Keyring, error) {
		return phi.Open(ctx, phi.Config{DataDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}
	target := t.TempDir()
	if err := restoreFile(t, file, target, open); err == nil {
		t.Fatal("restore succeeded without the master key")
	}
	if entries, _ := os.ReadDir(target); len(entries) != 0 {
		t.Fatalf("a failed restore left %d entries behind", len(entries))
	}
	master, _ := os.ReadFile(filepath.Join(env.DataDir, "phi-master-key.json"))
	os.WriteFile(filepath.Join(target, "phi-master-key.json"), master, 0o600)
	if err := restoreFile(t, file, target, open); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := restoreFile(t, file, target, open); err == nil {
		t.Error("a second restore over the restored data dir succeeded; it must refuse")
	}
	checkRestored(t, target, patientID)
}

func restoreFile(t *testing.T, file, target string,
	open func(context.Context, string) (*phi.Keyring, error)) error {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return backup.Restore(context.Background(), f, target, open)
}

func checkRestored(t *testing.T, dir, patientID string) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", filepath.Join(dir, "ivr.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Keys, err = phi.Open(ctx, phi.Config{DataDir: dir,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Fatal(err)
	}
	admin := apitestAdmin()
	p, err := store.GetPatient(ctx, db.Reader(), db.Keys, admin, patientID, db.Now())
	if err != nil || p.LastName != "Zqxcanarylast" {
		t.Fatalf("restored patient: %q, %v", p.LastName, err)
	}
	pub, err := os.ReadFile(filepath.Join(dir, audit.PublicKeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	key, err := audit.ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, db, key, audit.VerifyOptions{LogPath: filepath.Join(dir, audit.LogFileName)})
	if err != nil || !rep.OK() || rep.Entries == 0 {
		t.Errorf("restored audit chain: %+v, %v", rep, err)
	}
}
