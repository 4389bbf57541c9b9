package backup

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/openivr/ivr/internal/phi"
)

// ErrNotEmpty is returned when the restore target already holds a database or
// keys: restoring never overwrites anything.
var ErrNotEmpty = errors.New("restore target is not empty")

// Restore unpacks a backup into dataDir, which must not hold a database or keys.
// It writes the wrapped keysets, opens them with the master key (open is called
// with dataDir), decrypts and unpacks the archive. A PostgreSQL backup leaves
// database/ivr.pgdump for pg_restore. On error, what was written is removed.
func Restore(ctx context.Context, in io.Reader, dataDir string,
	open func(ctx context.Context, dataDir string) (*phi.Keyring, error)) (err error) {
	for _, p := range []string{"ivr.db", phi.KeysDir, "database"} {
		if _, err := os.Stat(filepath.Join(dataDir, p)); err == nil {
			return fmt.Errorf("restore: %s exists: %w", p, ErrNotEmpty)
		}
	}
	var written []string
	defer func() {
		if err != nil {
			for i := len(written) - 1; i >= 0; i-- {
				os.RemoveAll(written[i])
			}
		}
	}()
	br := bufio.NewReader(in)
	h, err := readHeader(br)
	if err != nil {
		return err
	}
	keysDir := filepath.Join(dataDir, phi.KeysDir)
	if err := os.MkdirAll(keysDir, 0o700); err != nil {
		return err
	}
	written = append(written, keysDir)
	for name, b := range h.Keysets {
		if strings.ContainsAny(name, `/\`) || name == ".." {
			return fmt.Errorf("restore: bad keyset name in header")
		}
		if err := os.WriteFile(filepath.Join(keysDir, name), b, 0o600); err != nil {
			return err
		}
	}
	keys, err := open(ctx, dataDir)
	if err != nil {
		return fmt.Errorf("restore: open the keys (is the master key available?): %w", err)
	}
	dec, err := keys.DecryptStream(br, aad)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return unpack(tar.NewReader(dec), dataDir, &written)
}

func readHeader(r io.Reader) (header, error) {
	var h header
	m := make([]byte, len(magic))
	if _, err := io.ReadFull(r, m); err != nil || string(m) != magic {
		return h, errors.New("restore: not an ivr backup file")
	}
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return h, errors.New("restore: truncated header")
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > 1<<20 {
		return h, errors.New("restore: header too large")
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return h, errors.New("restore: truncated header")
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, errors.New("restore: malformed header")
	}
	return h, nil
}

// unpack writes the archive's files: database/ivr.db to the data dir root,
// database/ivr.pgdump to database/, data/… to their places. Names are checked
// so nothing lands outside the data dir.
func unpack(tr *tar.Reader, dataDir string, written *[]string) error {
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("restore: the archive is damaged or was not made with these keys: %w", err)
		}
		name := path.Clean(hdr.Name)
		var dst string
		switch {
		case name == "database/ivr.db":
			dst = filepath.Join(dataDir, "ivr.db")
		case name == "database/ivr.pgdump":
			dst = filepath.Join(dataDir, "database", "ivr.pgdump")
		case strings.HasPrefix(name, "data/") && !strings.Contains(name, ".."):
			dst = filepath.Join(dataDir, filepath.FromSlash(strings.TrimPrefix(name, "data/")))
		default:
			return fmt.Errorf("restore: unexpected entry in the archive")
		}
		if err := writeFile(dst, tr); err != nil {
			return err
		}
		*written = append(*written, dst)
	}
}

func writeFile(dst string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("restore: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
