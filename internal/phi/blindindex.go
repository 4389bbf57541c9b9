package phi

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Index kinds used as domain separation: the same value indexed under two kinds
// gives unrelated indexes, so one column's index cannot be matched to another's.
const (
	KindNameDOB     = "name_dob"
	KindLastNameDOB = "last_name_dob"
	KindMemberID    = "member_id"
	KindMRN         = "mrn"
)

// IndexSize is the length in bytes of a blind index: 128 bits keep accidental
// matches out of reach while halving the index size of a full HMAC-SHA256.
const IndexSize = 16

// ErrEmptyIndexInput is returned when the kind or the normalized value is empty;
// indexing "" would make every blank record match every other.
var ErrEmptyIndexInput = errors.New("blind index needs a kind and a non-empty value")

const indexTag = "ivr.phi.bidx.v1"

// BlindIndex returns a keyed HMAC-SHA256 (Tink PRF) of value under kind,
// truncated to IndexSize bytes. value must already be normalized (NormalizeName,
// NormalizeID); equal inputs give equal indexes, so the store can look rows up
// by index without holding the plaintext.
//
// The blind-index key is separate from the field keys and does not rotate with
// them: rotating it changes every index, so rows written before and after would
// no longer match. Rotating it is possible only as a full re-index (decrypt
// every indexed field, recompute, rewrite) with a new PRF keyset file.
func (k *Keyring) BlindIndex(kind, value string) ([]byte, error) {
	if kind == "" || value == "" {
		return nil, ErrEmptyIndexInput
	}
	in := make([]byte, 0, len(indexTag)+len(kind)+len(value)+3*binary.MaxVarintLen64)
	for _, s := range []string{indexTag, kind, value} {
		in = binary.AppendUvarint(in, uint64(len(s)))
		in = append(in, s...)
	}
	out, err := k.index.ComputePrimaryPRF(in, IndexSize)
	if err != nil {
		return nil, fmt.Errorf("blind index %s: %w", kind, err)
	}
	return out, nil
}

// NameDOBIndex returns the index of a patient's full name and birth date
// (YYYY-MM-DD), for exact search by last name, first name and birth date.
func (k *Keyring) NameDOBIndex(last, first, dob string) ([]byte, error) {
	l, f := NormalizeName(last), NormalizeName(first)
	d, err := ParseDate(dob)
	if err != nil || l == "" || f == "" {
		return nil, fmt.Errorf("name and birth date index: %w", ErrEmptyIndexInput)
	}
	return k.BlindIndex(KindNameDOB, l+"\x00"+f+"\x00"+d.Reveal())
}

// LastNameDOBIndex returns the index of a last name and birth date, for search
// when the first name is unknown or spelt differently.
func (k *Keyring) LastNameDOBIndex(last, dob string) ([]byte, error) {
	l := NormalizeName(last)
	d, err := ParseDate(dob)
	if err != nil || l == "" {
		return nil, fmt.Errorf("last name and birth date index: %w", ErrEmptyIndexInput)
	}
	return k.BlindIndex(KindLastNameDOB, l+"\x00"+d.Reveal())
}

// MemberIDIndex returns the index of a payer member id after NormalizeMemberID.
func (k *Keyring) MemberIDIndex(memberID string) ([]byte, error) {
	return k.BlindIndex(KindMemberID, NormalizeMemberID(memberID))
}

// MRNIndex returns the index of a medical record number after NormalizeMRN.
func (k *Keyring) MRNIndex(mrn string) ([]byte, error) {
	return k.BlindIndex(KindMRN, NormalizeMRN(mrn))
}
