package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Signer signs checkpoints and purge anchors. KeyFile holds the key in the data
// directory; an adapter for a KMS-held Ed25519 key can take its place.
type Signer interface {
	// KeyID names the key; it is stored with every signature.
	KeyID() string
	// PublicKey returns the key a verifier needs.
	PublicKey() ed25519.PublicKey
	// Sign returns the Ed25519 signature of msg.
	Sign(ctx context.Context, msg []byte) ([]byte, error)
}

// The files the trail keeps in the data directory.
const (
	KeyFileName       = "audit-signing.key"       // PKCS#8 PEM private key, mode 0600
	PublicKeyFileName = "audit-signing.pub"       // PKIX PEM public key
	LogFileName       = "audit-checkpoints.jsonl" // signed checkpoints, one JSON a line
)

// KeyFile is a Signer whose Ed25519 key lives in a file only its owner can read.
type KeyFile struct {
	key ed25519.PrivateKey
	id  string
}

var _ Signer = (*KeyFile)(nil)

// LoadOrCreateKeyFile returns the signing key in dataDir/audit-signing.key, creating
// it (mode 0600, and the public key beside it in audit-signing.pub) when absent. It
// refuses a key file that group or others may access, and one that is not an
// Ed25519 PKCS#8 PEM key.
func LoadOrCreateKeyFile(dataDir string) (*KeyFile, error) {
	path := filepath.Join(dataDir, KeyFileName)
	k, err := loadKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := createKeyFile(dataDir); err != nil {
		return nil, err
	}
	return loadKeyFile(path)
}

func loadKeyFile(path string) (*KeyFile, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit signing key %s has mode %04o; it must be 0600 or stricter",
			path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("audit signing key %s: not a PEM private key", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	key, ok := parsed.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("audit signing key %s: not an Ed25519 key", path)
	}
	return NewKeyFile(key), nil
}

// createKeyFile writes a new key to a temporary file and links it into place, so a
// concurrent creator never sees a partial key and only one key wins.
func createKeyFile(dir string) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate audit signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("encode audit signing key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".audit-key-*")
	if err != nil {
		return fmt.Errorf("create audit signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	err = errors.Join(tmp.Chmod(0o600),
		pem.Encode(tmp, &pem.Block{Type: "PRIVATE KEY", Bytes: der}), tmp.Sync(), tmp.Close())
	if err != nil {
		return fmt.Errorf("write audit signing key: %w", err)
	}
	err = os.Link(tmp.Name(), filepath.Join(dir, KeyFileName))
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("install audit signing key: %w", err)
	}
	pub, err := EncodePublicKey(key.Public().(ed25519.PublicKey))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, PublicKeyFileName), pub, 0o644); err != nil {
		return fmt.Errorf("write audit public key: %w", err)
	}
	return nil
}

// NewKeyFile returns a Signer for key, for tests and for keys loaded elsewhere.
func NewKeyFile(key ed25519.PrivateKey) *KeyFile {
	return &KeyFile{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// KeyID implements Signer.
func (k *KeyFile) KeyID() string { return k.id }

// PublicKey implements Signer.
func (k *KeyFile) PublicKey() ed25519.PublicKey { return k.key.Public().(ed25519.PublicKey) }

// Sign implements Signer.
func (k *KeyFile) Sign(_ context.Context, msg []byte) ([]byte, error) {
	return ed25519.Sign(k.key, msg), nil
}

// String names the key without revealing it.
func (k *KeyFile) String() string { return "audit signing key " + k.id }

// KeyID returns the identifier stored with signatures of pub: "ed25519:" and the
// first 8 bytes of SHA-256 of the raw public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// EncodePublicKey returns pub as a PKIX "PUBLIC KEY" PEM block, the form given to an
// external verifier (and readable by openssl). It fails for a key of the wrong size.
func EncodePublicKey(pub ed25519.PublicKey) ([]byte, error) {
	if len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("encode audit public key: %d bytes, want %d",
			len(pub), ed25519.PublicKeySize)
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encode audit public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicKey reads a PEM public key as written by EncodePublicKey. The error
// says what is wrong with the input.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("parse audit public key: not a PEM public key")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse audit public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("parse audit public key: not an Ed25519 key")
	}
	return pub, nil
}
