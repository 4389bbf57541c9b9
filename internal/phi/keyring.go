package phi

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	"github.com/tink-crypto/tink-go/v2/streamingaead"
	"github.com/tink-crypto/tink-go/v2/tink"
)

// Errors returned by the keyring. They never carry a plaintext value.
var (
	// ErrWrongKey means a wrapped keyset could not be unwrapped: the KMS key (or
	// local master key file) is not the one that wrapped it, or the file is damaged.
	ErrWrongKey = errors.New("keyset cannot be unwrapped with the configured master key")
	// ErrUnknownKey means a ciphertext names a key id the keyring does not hold,
	// even after reloading the keysets from disk: it was made with another keyset.
	ErrUnknownKey = errors.New("ciphertext was encrypted with a key this keyring does not hold")
	// ErrDecrypt means authentication failed: the ciphertext was altered, or it
	// belongs to another field (table, column or row).
	ErrDecrypt = errors.New("ciphertext is not authentic for this field")
	// ErrMalformed means the bytes are too short to be a field ciphertext.
	ErrMalformed = errors.New("not a field ciphertext")
)

// Config configures [Open].
type Config struct {
	// KMSURI selects the master key (IVR_KMS_URI): "" or "file://<path>" for a
	// local development key file (default <DataDir>/phi-master-key.json),
	// "aws-kms://arn:aws:kms:..." or "hcvault://host/transit/keys/<name>".
	KMSURI string
	// DataDir is where the wrapped keysets live (in its "keys" folder).
	DataDir string
	// Logger receives the development-key warning; nil means slog.Default().
	Logger *slog.Logger
	// KEK, when set, is used as the master key instead of KMSURI. It exists so
	// tests can count or break master-key calls.
	KEK tink.AEAD
}

// fieldState is one immutable generation of the field keyset. Rotation builds
// a new one and swaps the pointer, so readers never take a lock.
type fieldState struct {
	aead    tink.AEAD
	primary uint32
	ids     map[uint32]bool
	raw     []byte // the wrapped file it came from
}

type docState struct {
	saead tink.StreamingAEAD
	raw   []byte
}

// Keyring holds the unwrapped keysets in memory: field AEAD, blind-index PRF and
// document streaming AEAD. It is safe for concurrent use; Encrypt, Decrypt and
// BlindIndex never call the KMS.
type Keyring struct {
	store keyStore
	index *prf.Set

	mu    sync.Mutex // serialises Rotate and Reload
	field atomic.Pointer[fieldState]
	doc   atomic.Pointer[docState]
}

// Open unwraps the keysets of cfg.DataDir with the configured master key, creating
// them on first start. It makes one master-key call per keyset (three in all) and
// none afterwards until Rotate or a Reload that finds a changed file. It returns
// ErrWrongKey if the master key cannot unwrap an existing keyset.
func Open(ctx context.Context, cfg Config) (*Keyring, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open phi keyring: %w", err)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("open phi keyring: data dir is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	dir := filepath.Join(cfg.DataDir, KeysDir)
	kek := cfg.KEK
	if kek == nil {
		var err error
		kek, err = kekFor(cfg.KMSURI, cfg.DataDir, anyKeysetExists(dir), log)
		if err != nil {
			return nil, fmt.Errorf("open phi keyring: %w", err)
		}
	}
	k := &Keyring{store: keyStore{dir: dir, kek: kek}}
	if err := k.loadAll(); err != nil {
		return nil, fmt.Errorf("open phi keyring: %w", err)
	}
	return k, nil
}

func (k *Keyring) loadAll() error {
	fh, fraw, err := k.store.load(purposeField)
	if err != nil {
		return err
	}
	if err := k.setField(fh, fraw); err != nil {
		return err
	}
	ih, _, err := k.store.load(purposeIndex)
	if err != nil {
		return err
	}
	if k.index, err = prf.NewPRFSet(ih); err != nil {
		return fmt.Errorf("blind index keyset: %w", err)
	}
	dh, draw, err := k.store.load(purposeDocument)
	if err != nil {
		return err
	}
	return k.setDoc(dh, draw)
}

func (k *Keyring) setField(h *keyset.Handle, raw []byte) error {
	a, err := aead.New(h)
	if err != nil {
		return fmt.Errorf("field keyset: %w", err)
	}
	st := &fieldState{aead: a, ids: make(map[uint32]bool), raw: raw}
	for _, ki := range h.KeysetInfo().GetKeyInfo() {
		st.ids[ki.GetKeyId()] = true
	}
	st.primary = h.KeysetInfo().GetPrimaryKeyId()
	k.field.Store(st)
	return nil
}

func (k *Keyring) setDoc(h *keyset.Handle, raw []byte) error {
	s, err := streamingaead.New(h)
	if err != nil {
		return fmt.Errorf("document keyset: %w", err)
	}
	k.doc.Store(&docState{saead: s, raw: raw})
	return nil
}

// PrimaryKeyID returns the id of the key new field ciphertexts are made with.
func (k *Keyring) PrimaryKeyID() uint32 { return k.field.Load().primary }

// Rotate adds a new primary key to the field keyset and to the document keyset,
// keeping the old keys for decryption, and saves both (wrapped) before switching
// to them. It starts from the files on disk, so a rotation done meanwhile by
// another process is kept rather than lost. Costs two unwraps and two wraps.
// Readers and writers using the keyring are never blocked and never fail.
func (k *Keyring) Rotate(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rotate phi keys: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	fh, fraw, err := k.rotateOne(purposeField)
	if err != nil {
		return fmt.Errorf("rotate phi keys: %w", err)
	}
	if err := k.setField(fh, fraw); err != nil {
		return fmt.Errorf("rotate phi keys: %w", err)
	}
	dh, draw, err := k.rotateOne(purposeDocument)
	if err != nil {
		return fmt.Errorf("rotate phi keys: %w", err)
	}
	if err := k.setDoc(dh, draw); err != nil {
		return fmt.Errorf("rotate phi keys: %w", err)
	}
	return nil
}

func (k *Keyring) rotateOne(p purpose) (*keyset.Handle, []byte, error) {
	h, _, err := k.store.load(p)
	if err != nil {
		return nil, nil, err
	}
	m := keyset.NewManagerFromHandle(h)
	id, err := m.Add(p.template())
	if err != nil {
		return nil, nil, fmt.Errorf("add %s key: %w", p, err)
	}
	if err := m.SetPrimary(id); err != nil {
		return nil, nil, fmt.Errorf("set %s primary: %w", p, err)
	}
	if h, err = m.Handle(); err != nil {
		return nil, nil, fmt.Errorf("%s keyset: %w", p, err)
	}
	raw, err := k.store.save(p, h)
	return h, raw, err
}

// Reload re-reads the wrapped field and document keysets and, for each whose
// file changed since it was loaded, unwraps it (one master-key call) and swaps
// it in. This is how a process picks up a rotation made by another one; Decrypt
// calls it by itself when it meets an unknown key id. An unchanged file costs a
// file read and no master-key call.
func (k *Keyring) Reload(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("reload phi keys: %w", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.reloadField(); err != nil {
		return fmt.Errorf("reload phi keys: %w", err)
	}
	if err := k.reloadDoc(); err != nil {
		return fmt.Errorf("reload phi keys: %w", err)
	}
	return nil
}

func (k *Keyring) reloadField() error {
	raw, err := k.store.readRaw(purposeField)
	if err != nil || raw == nil || bytes.Equal(raw, k.field.Load().raw) {
		return err
	}
	h, err := k.store.unwrap(purposeField, raw)
	if err != nil {
		return err
	}
	return k.setField(h, raw)
}

func (k *Keyring) reloadDoc() error {
	raw, err := k.store.readRaw(purposeDocument)
	if err != nil || raw == nil || bytes.Equal(raw, k.doc.Load().raw) {
		return err
	}
	h, err := k.store.unwrap(purposeDocument, raw)
	if err != nil {
		return err
	}
	return k.setDoc(h, raw)
}

// keyID returns the key id in a Tink-prefixed ciphertext (0x01 + 4 bytes).
func keyID(ct []byte) (uint32, bool) {
	const tinkPrefix = 0x01
	if len(ct) < 5+12+16 || ct[0] != tinkPrefix {
		return 0, false
	}
	return binary.BigEndian.Uint32(ct[1:5]), true
}
