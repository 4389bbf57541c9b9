package blob

import (
	"context"
	"fmt"
	"io"
)

// StreamCipher encrypts and decrypts byte streams with associated data.
// *phi.Keyring implements it with Tink streaming AEAD.
type StreamCipher interface {
	EncryptStream(dst io.Writer, aad []byte) (io.WriteCloser, error)
	DecryptStream(src io.Reader, aad []byte) (io.Reader, error)
}

// EncryptedStore encrypts every object before handing it to the Store beneath,
// and decrypts on the way out. The object key is bound as associated data, so a
// ciphertext moved or copied to another key does not decrypt.
type EncryptedStore struct {
	inner  Store
	cipher StreamCipher
}

var _ Store = (*EncryptedStore)(nil)

// NewEncryptedStore returns a Store that encrypts with c into inner.
func NewEncryptedStore(inner Store, c StreamCipher) *EncryptedStore {
	return &EncryptedStore{inner: inner, cipher: c}
}

func blobAAD(key string) []byte { return []byte("ivr.blob.v1:" + key) }

// Put encrypts r as it streams into the inner store and returns the number of
// plaintext bytes. If r fails (for instance a size limit from LimitReader),
// nothing is stored and r's own error is returned.
func (s *EncryptedStore) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	if err := ValidateKey(key); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	src := &errReader{r: r}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := s.encrypt(pw, key, src)
		pw.CloseWithError(err) // nil closes cleanly: the inner store sees EOF
		done <- err
	}()
	_, innerErr := s.inner.Put(ctx, key, pr)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the encryptor if inner stopped early
	encErr := <-done
	switch {
	case src.err != nil:
		return 0, src.err
	case innerErr != nil:
		return 0, innerErr
	case encErr != nil:
		return 0, encErr
	}
	return src.n, nil
}

func (s *EncryptedStore) encrypt(dst io.Writer, key string, src io.Reader) error {
	w, err := s.cipher.EncryptStream(dst, blobAAD(key))
	if err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("put blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("put blob: finish encryption: %w", err)
	}
	return nil
}

// errReader counts bytes and remembers the source's own error, to tell it
// from an error of the pipe or the store.
type errReader struct {
	r   io.Reader
	n   int64
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.n += int64(n)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// Get returns a reader of the decrypted object. Each segment is authenticated
// before it is returned; a tampered or moved object makes Read fail.
func (s *EncryptedStore) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := s.inner.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	r, err := s.cipher.DecryptStream(rc, blobAAD(key))
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("get blob: %w", err)
	}
	return readCloser{Reader: r, Closer: rc}, nil
}

// Delete removes the object under key.
func (s *EncryptedStore) Delete(ctx context.Context, key string) error {
	return s.inner.Delete(ctx, key)
}

type readCloser struct {
	io.Reader
	io.Closer
}
