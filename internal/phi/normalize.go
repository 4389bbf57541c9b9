package phi

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldLetters spells out in ASCII the letters that Unicode does not decompose
// into a base letter plus an accent.
var foldLetters = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d",
	'þ': "th", 'ı': "i",
}

// dropped are the punctuation marks that vanish inside a name (O'Brien,
// Smith-Jones, St. John), as opposed to other separators which become a space.
const dropped = "'’‘`.-‐‑–—"

// NormalizeName returns the form of a person's name used for blind indexes:
//
//   - Unicode NFKD, then every combining mark removed (José → jose, Zoë → zoe);
//   - lower case, with ß, æ, œ, ø, ł, đ, ð, þ and ı spelt out in ASCII;
//   - apostrophes, periods and hyphens deleted (O'Brien → obrien,
//     Smith-Jones → smithjones, St. John → st john);
//   - any other run of non-letters and non-digits (spaces, commas, slashes)
//     turned into one space, with no space at either end.
//
// Two spellings that differ only in accents, case, those marks or spacing give
// the same result. The result may be empty, which BlindIndex refuses.
func NormalizeName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFKD.String(s) {
		r = unicode.ToLower(r)
		switch {
		case unicode.Is(unicode.Mn, r) || strings.ContainsRune(dropped, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if f, ok := foldLetters[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		default:
			space = true
		}
	}
	return b.String()
}

// NormalizeID returns the form of an identifier (medical record number, payer
// member id) used for blind indexes: Unicode NFKC (full-width digits become
// ASCII), upper case, and every space, tab and dash removed. "ab-123 45" and
// "AB12345" give the same result.
func NormalizeID(s string) string {
	s = strings.ToUpper(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) {
			return -1
		}
		return r
	}, s)
}

// NormalizeMRN normalizes a medical record number; see [NormalizeID].
func NormalizeMRN(s string) string { return NormalizeID(s) }

// NormalizeMemberID normalizes a payer member id; see [NormalizeID].
func NormalizeMemberID(s string) string { return NormalizeID(s) }
