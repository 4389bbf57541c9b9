// Package blob stores documents (wound photos, insurance cards, signed forms) as
// opaque bytes under string keys. Store implementations never see plaintext when
// used through EncryptedStore, which encrypts with streaming AEAD before a byte
// reaches disk or object storage and binds the object key to the ciphertext.
// The package also sniffs document types by content and limits upload sizes.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Store keeps byte streams under keys. Implementations are safe for concurrent
// use. Put replaces any existing object atomically: a reader sees the old object
// or the new one, never a part.
type Store interface {
	// Put stores everything read from r under key and returns the number of
	// bytes stored. If r fails, nothing is stored and r's error is returned.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Get returns the object under key, or ErrNotFound. The caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the object under key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// ErrNotFound is returned by Get for a key that holds no object.
var ErrNotFound = errors.New("blob not found")

// ErrInvalidKey is returned for a key that ValidateKey rejects.
var ErrInvalidKey = errors.New("invalid blob key")

// Key limits.
const (
	MaxKeyLen     = 512
	maxSegmentLen = 128
)

// ValidateKey checks that key is a relative, slash-separated path whose segments
// use only ASCII letters, digits, '.', '_' and '-', do not start with '.', and
// are at most 128 bytes (the whole key at most MaxKeyLen). Such a key cannot
// climb out of a directory, name a hidden or temporary file, or differ between
// operating systems. The error names the rule broken, not the key.
func ValidateKey(key string) error {
	if key == "" || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: length must be 1 to %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	for _, seg := range strings.Split(key, "/") {
		if err := validateSegment(seg); err != nil {
			return err
		}
	}
	return nil
}

func validateSegment(seg string) error {
	if seg == "" || len(seg) > maxSegmentLen {
		return fmt.Errorf("%w: empty or over-long path segment", ErrInvalidKey)
	}
	if seg[0] == '.' {
		return fmt.Errorf("%w: a segment may not start with '.'", ErrInvalidKey)
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("%w: only letters, digits, '.', '_', '-' and '/' allowed", ErrInvalidKey)
		}
	}
	return nil
}

// ctxReader fails reads once ctx is done, so a long copy stops on cancellation.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
