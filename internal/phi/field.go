package phi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrFieldID is returned when a FieldID lacks its table, column or row id.
var ErrFieldID = errors.New("field id needs table, column and row id")

// FieldID names the place a value is stored. It is bound to the ciphertext as
// associated data, so a ciphertext copied to another row, column or table no
// longer decrypts. None of its parts may hold PHI: they appear in error messages.
type FieldID struct {
	Table, Column, RowID string
}

// fieldAADTag versions the associated-data encoding.
const fieldAADTag = "ivr.phi.field.v1"

// aad encodes id unambiguously: each part is length-prefixed, so
// ("ab","c") and ("a","bc") give different bytes.
func (id FieldID) aad() ([]byte, error) {
	if id.Table == "" || id.Column == "" || id.RowID == "" {
		return nil, ErrFieldID
	}
	n := len(fieldAADTag) + len(id.Table) + len(id.Column) + len(id.RowID)
	b := make([]byte, 0, n+4*binary.MaxVarintLen64)
	for _, s := range []string{fieldAADTag, id.Table, id.Column, id.RowID} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b, nil
}

func (id FieldID) name() string { return id.Table + "." + id.Column }

// Encrypt seals plaintext for the field id with the primary key (AES-256-GCM,
// fresh random nonce). It returns ErrFieldID if id is incomplete.
func (k *Keyring) Encrypt(plaintext []byte, id FieldID) ([]byte, error) {
	ad, err := id.aad()
	if err != nil {
		return nil, fmt.Errorf("encrypt field: %w", err)
	}
	ct, err := k.field.Load().aead.Encrypt(plaintext, ad)
	if err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", id.name(), err)
	}
	return ct, nil
}

// Decrypt opens a ciphertext made by Encrypt for the same field id. It returns
// ErrMalformed for bytes that are not a field ciphertext, ErrUnknownKey when the
// key is not in the keyring even after a Reload, and ErrDecrypt when the
// ciphertext was altered or belongs to another field.
func (k *Keyring) Decrypt(ciphertext []byte, id FieldID) ([]byte, error) {
	ad, err := id.aad()
	if err != nil {
		return nil, fmt.Errorf("decrypt field: %w", err)
	}
	kid, ok := keyID(ciphertext)
	if !ok {
		return nil, fmt.Errorf("decrypt %s: %w", id.name(), ErrMalformed)
	}
	st := k.field.Load()
	if !st.ids[kid] {
		// Another process may have rotated: pick up its keyset, once.
		if err := k.Reload(context.Background()); err != nil {
			return nil, fmt.Errorf("decrypt %s: %w", id.name(), err)
		}
		if st = k.field.Load(); !st.ids[kid] {
			return nil, fmt.Errorf("decrypt %s: key %d: %w", id.name(), kid, ErrUnknownKey)
		}
	}
	pt, err := st.aead.Decrypt(ciphertext, ad)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: %w", id.name(), ErrDecrypt)
	}
	return pt, nil
}

// NeedsReencrypt reports whether ciphertext was made with a key other than the
// current primary (or is not a field ciphertext at all), so a re-encryption
// batch can skip rows that are already current.
func (k *Keyring) NeedsReencrypt(ciphertext []byte) bool {
	kid, ok := keyID(ciphertext)
	return !ok || kid != k.field.Load().primary
}

// Reencrypt decrypts ciphertext and encrypts it again under the primary key for
// the same field id. A ciphertext already under the primary key is returned as
// is. Errors are those of Decrypt and Encrypt.
func (k *Keyring) Reencrypt(ciphertext []byte, id FieldID) ([]byte, error) {
	if !k.NeedsReencrypt(ciphertext) {
		return ciphertext, nil
	}
	pt, err := k.Decrypt(ciphertext, id)
	if err != nil {
		return nil, fmt.Errorf("reencrypt: %w", err)
	}
	defer clear(pt)
	return k.Encrypt(pt, id)
}

// EncryptString encrypts s for the field id.
func (k *Keyring) EncryptString(s string, id FieldID) ([]byte, error) {
	return k.Encrypt([]byte(s), id)
}

// DecryptString decrypts a ciphertext made by EncryptString.
func (k *Keyring) DecryptString(ciphertext []byte, id FieldID) (string, error) {
	pt, err := k.Decrypt(ciphertext, id)
	if err != nil {
		return "", err
	}
	return string(pt), nil
}

// EncryptText encrypts the value of t for the field id.
func (k *Keyring) EncryptText(t Text, id FieldID) ([]byte, error) {
	return k.Encrypt([]byte(t.Reveal()), id)
}

// DecryptText decrypts a ciphertext made by EncryptText into a Text.
func (k *Keyring) DecryptText(ciphertext []byte, id FieldID) (Text, error) {
	s, err := k.DecryptString(ciphertext, id)
	if err != nil {
		return Text{}, err
	}
	return NewText(s), nil
}

// EncryptNullText encrypts an optional value: nil gives a nil ciphertext (store
// SQL NULL), while a present empty Text gives a real ciphertext, so "absent"
// and "empty" stay distinct.
func (k *Keyring) EncryptNullText(t *Text, id FieldID) ([]byte, error) {
	if t == nil {
		return nil, nil
	}
	return k.EncryptText(*t, id)
}

// DecryptNullText is the inverse of EncryptNullText: a nil ciphertext (SQL NULL)
// gives nil.
func (k *Keyring) DecryptNullText(ciphertext []byte, id FieldID) (*Text, error) {
	if ciphertext == nil {
		return nil, nil
	}
	t, err := k.DecryptText(ciphertext, id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// EncryptDate encrypts a date (as YYYY-MM-DD) for the field id.
func (k *Keyring) EncryptDate(d Date, id FieldID) ([]byte, error) {
	return k.Encrypt([]byte(d.Reveal()), id)
}

// DecryptDate decrypts a ciphertext made by EncryptDate. A decrypted value that
// is not a date is reported without repeating it.
func (k *Keyring) DecryptDate(ciphertext []byte, id FieldID) (Date, error) {
	s, err := k.DecryptString(ciphertext, id)
	if err != nil || s == "" {
		return Date{}, err
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, fmt.Errorf("decrypt %s: %w", id.name(), err)
	}
	return d, nil
}
