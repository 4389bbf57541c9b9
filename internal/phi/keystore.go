package phi

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// KeysDir is the folder of the data dir that holds the wrapped keysets.
const KeysDir = "keys"

// purpose names one wrapped keyset. The name is both the file name and part of
// the associated data of the wrapping, so one keyset file cannot be passed off
// as another.
type purpose string

const (
	purposeField    purpose = "field-aead"
	purposeIndex    purpose = "blind-index-prf"
	purposeDocument purpose = "document-streaming"
)

func (p purpose) template() *tinkpb.KeyTemplate {
	switch p {
	case purposeIndex:
		return prf.HMACSHA256PRFKeyTemplate()
	case purposeDocument:
		return streamingaead.AES256GCMHKDF1MBKeyTemplate()
	default:
		return aead.AES256GCMKeyTemplate()
	}
}

func (p purpose) aad() []byte { return []byte("ivr.phi.keyset.v1:" + string(p)) }

// keyStore reads and writes the wrapped keysets of one data dir.
type keyStore struct {
	dir string
	kek tink.AEAD
}

func (s keyStore) path(p purpose) string {
	return filepath.Join(s.dir, string(p)+".json")
}

// anyKeysetExists reports whether any wrapped keyset is present in dir.
func anyKeysetExists(dir string) bool {
	for _, p := range []purpose{purposeField, purposeIndex, purposeDocument} {
		if _, err := os.Stat(filepath.Join(dir, string(p)+".json")); err == nil {
			return true
		}
	}
	return false
}

// readRaw returns the wrapped keyset file for p, or nil if it does not exist.
func (s keyStore) readRaw(p purpose) ([]byte, error) {
	b, err := os.ReadFile(s.path(p))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s keyset: %w", p, err)
	}
	return b, nil
}

// unwrap decrypts a wrapped keyset with the KEK: one KEK (KMS) call.
func (s keyStore) unwrap(p purpose, raw []byte) (*keyset.Handle, error) {
	r := keyset.NewJSONReader(bytes.NewReader(raw))
	h, err := keyset.ReadWithAssociatedData(r, s.kek, p.aad())
	if err != nil {
		return nil, fmt.Errorf("unwrap %s keyset: %w (%v)", p, ErrWrongKey, err)
	}
	return h, nil
}

// load unwraps the keyset for p (one KEK decrypt call), creating and wrapping a
// new one (one KEK encrypt call) when the file does not exist yet. It returns
// the wrapped bytes too, so a later reload can tell whether the file changed.
func (s keyStore) load(p purpose) (*keyset.Handle, []byte, error) {
	raw, err := s.readRaw(p)
	if err != nil {
		return nil, nil, err
	}
	if raw == nil {
		return s.create(p)
	}
	h, err := s.unwrap(p, raw)
	return h, raw, err
}

func (s keyStore) create(p purpose) (*keyset.Handle, []byte, error) {
	h, err := keyset.NewHandle(p.template())
	if err != nil {
		return nil, nil, fmt.Errorf("create %s keyset: %w", p, err)
	}
	raw, err := s.save(p, h)
	if err != nil {
		return nil, nil, err
	}
	return h, raw, nil
}

// save wraps h with the KEK and replaces the file atomically: a reader sees the
// old keyset or the new one, never a torn file.
func (s keyStore) save(p purpose, h *keyset.Handle) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.WriteWithAssociatedData(keyset.NewJSONWriter(&buf), s.kek, p.aad()); err != nil {
		return nil, fmt.Errorf("wrap %s keyset: %w", p, err)
	}
	if err := writeFileAtomic(s.path(p), buf.Bytes()); err != nil {
		return nil, fmt.Errorf("save %s keyset: %w", p, err)
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes b to a temporary file beside path with mode 0600,
// syncs it, renames it over path and syncs the directory.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-keyset-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op once renamed
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := syncClose(f); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
