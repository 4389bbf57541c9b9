package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// FileStore keeps objects as files in one directory tree. Keys map to paths
// below the directory; every access goes through an os.Root, so even a key that
// slipped past ValidateKey could not reach outside it.
type FileStore struct {
	root *os.Root
}

var _ Store = (*FileStore)(nil)

// NewFileStore opens (creating it with mode 0700 if needed) the directory dir.
func NewFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open blob dir: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob dir: %w", err)
	}
	return &FileStore{root: root}, nil
}

// Close releases the directory handle.
func (s *FileStore) Close() error { return s.root.Close() }

// Put writes r to a temporary file beside the target, syncs it, renames it over
// the target and syncs the directory, so a crash leaves the old object or the
// new one. Files are created with mode 0600.
func (s *FileStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := ValidateKey(key); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	dir := path.Dir(key)
	if err := s.root.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	tmp, f, err := s.createTemp(dir)
	if err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	n, err := io.Copy(f, ctxReader{ctx: ctx, r: r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.root.Rename(tmp, key)
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return 0, fmt.Errorf("put blob: %w", err)
	}
	return n, s.syncDir(dir)
}

func (s *FileStore) createTemp(dir string) (string, *os.File, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	// A leading '.' keeps temporary names out of the valid key space.
	name := path.Join(dir, ".tmp-"+hex.EncodeToString(b[:]))
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	return name, f, err
}

func (s *FileStore) syncDir(dir string) error {
	d, err := s.root.Open(dir)
	if err != nil {
		return fmt.Errorf("put blob: sync dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("put blob: sync dir: %w", err)
	}
	return nil
}

// Get opens the object under key. It returns ErrNotFound if there is none.
func (s *FileStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	f, err := s.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, ErrNotFound // a directory of keys is not an object
	}
	return f, nil
}

// Delete removes the object under key; a missing key is not an error.
func (s *FileStore) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete blob: %w", err)
	}
	err := s.root.Remove(key)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}
