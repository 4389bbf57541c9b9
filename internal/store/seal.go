package store

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openivr/ivr/internal/phi"
)

// sealer encrypts and decrypts the PHI columns of one row, binding each
// ciphertext to (table, column, row id). It keeps the first error, so a record's
// columns are sealed in a straight line and checked once.
type sealer struct {
	keys       *phi.Keyring
	table, row string
	err        error
}

func newSealer(keys *phi.Keyring, table, row string) *sealer {
	s := &sealer{keys: keys, table: table, row: row}
	if keys == nil {
		s.err = errors.New("no PHI keyring configured")
	}
	return s
}

func (s *sealer) id(col string) phi.FieldID {
	return phi.FieldID{Table: s.table, Column: col, RowID: s.row}
}

func (s *sealer) seal(col, v string) []byte {
	if s.err != nil {
		return nil
	}
	ct, err := s.keys.EncryptString(v, s.id(col))
	if err != nil {
		s.err = fmt.Errorf("encrypt %s.%s: %w", s.table, col, err)
	}
	return ct
}

func (s *sealer) sealJSON(col string, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("encode %s.%s: %w", s.table, col, err)
	}
	return s.seal(col, string(b))
}

// sealOptional seals v, or returns nil for an empty value so the column is NULL.
func (s *sealer) sealOptional(col, v string) []byte {
	if v == "" {
		return nil
	}
	return s.seal(col, v)
}

func (s *sealer) open(col string, ct []byte) string {
	if s.err != nil || ct == nil {
		return ""
	}
	v, err := s.keys.DecryptString(ct, s.id(col))
	if err != nil {
		s.err = fmt.Errorf("decrypt %s.%s: %w", s.table, col, err)
	}
	return v
}

func (s *sealer) openJSON(col string, ct []byte, v any) {
	raw := s.open(col, ct)
	if s.err != nil || raw == "" {
		return
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		s.err = fmt.Errorf("decode %s.%s: %w", s.table, col, err)
	}
}

func (s *sealer) index(b []byte, err error) []byte {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("blind index for %s: %w", s.table, err)
	}
	return b
}
