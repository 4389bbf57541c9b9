package store

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/openivr/ivr/internal/domain"
)

// NewID returns a random, time-ordered UUIDv7: unique across instances and not
// enumerable (74 random bits).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// referenceAlphabet is Crockford's base32: no I, L, O or U to misread.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReference returns an opaque, human-friendly reference such as IVR-7K3M9Q2D: a
// prefix and 8 random characters (40 bits), for use on the phone and in e-mails
// where an id is too long. It reveals nothing about the record.
func NewReference(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	var s strings.Builder
	s.WriteString(prefix)
	s.WriteByte('-')
	for _, c := range b {
		s.WriteByte(referenceAlphabet[c&31])
	}
	return s.String()
}

// args collects positional arguments while a statement is assembled; add returns
// the placeholder of the value it appends.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

func joinList(v []string) string { return strings.Join(v, ",") }

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func encodeOffset(n int) string { return EncodeCursor(fmt.Sprintf("offset:%029d", n)) }

func decodeOffset(c string) (int, error) {
	s, err := DecodeCursor(c)
	if err != nil {
		return 0, err
	}
	var n int
	if _, err := fmt.Sscanf(s, "offset:%d", &n); err != nil || n < 0 {
		return 0, domain.Errorf(domain.CodeBadRequest, "cursor is not valid")
	}
	return n, nil
}
