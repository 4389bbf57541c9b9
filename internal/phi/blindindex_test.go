package phi

import (
	"bytes"
	"errors"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Abernathy", "abernathy"},
		{"  José   García ", "jose garcia"},
		{"Zoë", "zoe"},
		{"O'Brien", "obrien"},
		{"O’Brien", "obrien"},
		{"Smith-Jones", "smithjones"},
		{"St. John", "st john"},
		{"Müller, Jr.", "muller jr"},
		{"STRAßE", "strasse"},
		{"Łukasz Øster", "lukasz oster"},
		{"Ｆｕｌｌｗｉｄｔｈ", "fullwidth"},
		{"Nguyễn Văn", "nguyen van"},
		{"Ann\tMarie\nLee", "ann marie lee"},
		{"'-.", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeName(tt.in); got != tt.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ab-123 45", "AB12345"},
		{"AB12345", "AB12345"},
		{" w1234–5678 ", "W12345678"},
		{"ｍ１２３", "M123"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := NormalizeMemberID(tt.in); got != tt.want {
				t.Errorf("NormalizeMemberID(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := NormalizeMRN(tt.in); got != tt.want {
				t.Errorf("NormalizeMRN(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// MustIndexer returns a function that checks an index result and returns the
// index, failing tb on an error or a wrong length.
func MustIndexer(tb testing.TB) func([]byte, error) []byte {
	tb.Helper()
	return func(b []byte, err error) []byte {
		tb.Helper()
		if err != nil {
			tb.Fatalf("index: %v", err)
		}
		if len(b) != IndexSize {
			tb.Fatalf("index length = %d, want %d", len(b), IndexSize)
		}
		return b
	}
}

func TestBlindIndex(t *testing.T) {
	dir := t.TempDir()
	k := MustOpen(t, dir, MustCountingKEK(t))
	must := MustIndexer(t)
	base := must(k.NameDOBIndex("García", "José", "1961-04-27"))
	same := [][]byte{
		must(k.NameDOBIndex("GARCIA", " jose ", "1961-04-27")),
		must(k.NameDOBIndex("Garcia", "José", "1961-04-27")),
	}
	for i, b := range same {
		if !bytes.Equal(b, base) {
			t.Errorf("equivalent spelling %d gives another index", i)
		}
	}
	differ := map[string][]byte{
		"other dob":   must(k.NameDOBIndex("Garcia", "Jose", "1961-04-28")),
		"other first": must(k.NameDOBIndex("Garcia", "Josh", "1961-04-27")),
		"split moved": must(k.NameDOBIndex("Garci", "aJose", "1961-04-27")),
		"last+dob":    must(k.LastNameDOBIndex("Garcia", "1961-04-27")),
		"other key": must(MustOpen(t, t.TempDir(), MustCountingKEK(t)).
			NameDOBIndex("García", "José", "1961-04-27")),
	}
	for name, b := range differ {
		if bytes.Equal(b, base) {
			t.Errorf("%s gives the same index", name)
		}
	}
	// The same value under two kinds must not match (domain separation).
	m := must(k.MemberIDIndex("W123"))
	r := must(k.MRNIndex("w-123"))
	if bytes.Equal(m, r) {
		t.Error("member id and MRN indexes of one value are equal")
	}
	if !bytes.Equal(m, must(k.MemberIDIndex("w 12-3"))) {
		t.Error("member id index is not stable under normalisation")
	}
}

func TestBlindIndexErrors(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	tests := map[string]func() ([]byte, error){
		"empty kind":   func() ([]byte, error) { return k.BlindIndex("", "x") },
		"empty value":  func() ([]byte, error) { return k.BlindIndex(KindMRN, "") },
		"blank mrn":    func() ([]byte, error) { return k.MRNIndex(" - ") },
		"bad dob":      func() ([]byte, error) { return k.NameDOBIndex("A", "B", "27/04/1961") },
		"no last name": func() ([]byte, error) { return k.LastNameDOBIndex("'", "1961-04-27") },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := f(); !errors.Is(err, ErrEmptyIndexInput) {
				t.Errorf("err = %v, want ErrEmptyIndexInput", err)
			}
		})
	}
}

func TestBlindIndexSurvivesRotation(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	must := MustIndexer(t)
	before := must(k.MRNIndex("A1"))
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, must(k.MRNIndex("A1"))) {
		t.Error("Rotate changed the blind index")
	}
}
