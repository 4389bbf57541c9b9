package phi

import (
	"fmt"
	"io"
)

// EncryptStream returns a writer that encrypts what is written to it with the
// document keyset (AES-256-GCM-HKDF, 1 MiB segments) and writes the ciphertext
// to dst. aad is bound to the ciphertext (the blob key, for instance). The caller
// must Close the writer to write the final segment; an unclosed stream does not
// decrypt.
func (k *Keyring) EncryptStream(dst io.Writer, aad []byte) (io.WriteCloser, error) {
	w, err := k.doc.Load().saead.NewEncryptingWriter(dst, aad)
	if err != nil {
		return nil, fmt.Errorf("encrypt document stream: %w", err)
	}
	return w, nil
}

// DecryptStream returns a reader of the plaintext of src, which must have been
// made by EncryptStream with the same aad. Each segment is authenticated before
// it is returned; a tampered, truncated or foreign stream makes Read fail. It
// first reloads the document keyset if another process rotated it (a file read,
// and a master-key call only if the file changed).
func (k *Keyring) DecryptStream(src io.Reader, aad []byte) (io.Reader, error) {
	k.mu.Lock()
	err := k.reloadDoc()
	k.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("decrypt document stream: %w", err)
	}
	r, err := k.doc.Load().saead.NewDecryptingReader(src, aad)
	if err != nil {
		return nil, fmt.Errorf("decrypt document stream: %w", err)
	}
	return r, nil
}
