// Package backup writes and restores a consistent, encrypted copy of a data dir:
// the database, the documents and the audit checkpoints.
//
// A backup file is the magic line "IVRBACKUP1\n", a 4-byte big-endian length and
// a JSON header holding the wrapped keysets (they are encrypted by the master key,
// so they may travel), then a tar archive encrypted with the document streaming
// key (AES-256-GCM-HKDF, associated data "ivr.backup.v1"). Restoring therefore
// needs the master key — the KMS, or the local key file kept apart from backups —
// and nothing in the file is readable without it. The local master key is never
// put in a backup; the audit signing key travels inside the encrypted archive, so
// a restored platform continues the same signed chain.
package backup

import (
	"archive/tar"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/openivr/ivr/internal/phi"
	"github.com/openivr/ivr/internal/store"
)

const magic = "IVRBACKUP1\n"

var aad = []byte("ivr.backup.v1")

// header is the plaintext part of a backup.
type header struct {
	CreatedAt time.Time         `json:"created_at"`
	Engine    store.Dialect     `json:"engine"`
	Keysets   map[string][]byte `json:"keysets"` // file name in keys/ → wrapped keyset
}

// Stats describes a written backup.
type Stats struct {
	Files int
	Bytes int64
}

// Write streams a backup of the data dir to out. The SQLite database is copied
// with VACUUM INTO, a consistent snapshot taken while the platform runs; a
// PostgreSQL database is dumped with pg_dump (custom format), which must be on
// the PATH.
func Write(ctx context.Context, db *store.DB, keys *phi.Keyring, dataDir, databaseURL string,
	out io.Writer) (Stats, error) {
	var st Stats
	h := header{CreatedAt: time.Now().UTC(), Engine: db.Dialect, Keysets: map[string][]byte{}}
	entries, err := os.ReadDir(filepath.Join(dataDir, phi.KeysDir))
	if err != nil {
		return st, fmt.Errorf("backup: read keysets: %w", err)
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join(dataDir, phi.KeysDir, e.Name())); err == nil {
			h.Keysets[e.Name()] = b
		}
	}
	if err := writeHeader(out, h); err != nil {
		return st, err
	}
	enc, err := keys.EncryptStream(out, aad)
	if err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	tw := tar.NewWriter(enc)
	if err := addDatabase(ctx, tw, db, databaseURL, &st); err != nil {
		return st, err
	}
	for _, rel := range []string{"documents", "audit-checkpoints.jsonl", "audit-signing.pub",
		"audit-signing.key"} {
		if err := addPath(tw, dataDir, rel, &st); err != nil {
			return st, err
		}
	}
	if err := tw.Close(); err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	return st, nil
}

func writeHeader(w io.Writer, h header) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	for _, part := range [][]byte{[]byte(magic), n[:], b} {
		if _, err := w.Write(part); err != nil {
			return fmt.Errorf("backup: write header: %w", err)
		}
	}
	return nil
}

func addDatabase(ctx context.Context, tw *tar.Writer, db *store.DB, databaseURL string, st *Stats) error {
	tmp, err := os.MkdirTemp("", "ivr-backup-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if db.Dialect == store.SQLite {
		snap := filepath.Join(tmp, "ivr.db")
		if _, err := db.Reader().ExecContext(ctx, `VACUUM INTO $1`, snap); err != nil {
			return fmt.Errorf("backup: snapshot the database: %w", err)
		}
		return addFile(tw, snap, "database/ivr.db", st)
	}
	dump := filepath.Join(tmp, "ivr.pgdump")
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--file="+dump, databaseURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("backup: pg_dump failed (%v): %s", err, store.RedactURL(string(out)))
	}
	return addFile(tw, dump, "database/ivr.pgdump", st)
}

func addPath(tw *tar.Writer, dataDir, rel string, st *Stats) error {
	root := filepath.Join(dataDir, rel)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		name, err := filepath.Rel(dataDir, path)
		if err != nil {
			return err
		}
		return addFile(tw, path, "data/"+filepath.ToSlash(name), st)
	})
	if err != nil {
		return fmt.Errorf("backup: %s: %w", rel, err)
	}
	return nil
}

func addFile(tw *tar.Writer, path, name string, st *Stats) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(),
		ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	st.Files++
	st.Bytes += n
	return err
}
