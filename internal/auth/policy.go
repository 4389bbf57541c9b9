package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openivr/ivr/internal/domain"
)

// The bounds of a password's length, counted in Unicode code points.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords holds the embedded list, lower-cased.
var commonPasswords = parseWordList(commonPasswordsText)

func parseWordList(text string) map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(text) {
		w := strings.ToLower(strings.TrimSpace(line))
		if w != "" && !strings.HasPrefix(w, "#") {
			set[w] = struct{}{}
		}
	}
	return set
}

// CheckPassword applies the password policy to a new password for the account with
// the given e-mail (which may be empty). It returns nil if the password is acceptable,
// and otherwise a *domain.Error with CodeInvalid and the field "password" saying what
// is wrong; the message never repeats the password.
//
// A password must be valid UTF-8, 12 to 128 characters long, and must not be: a
// common password (case-insensitive, also when only digits or symbols were added
// around it), a short pattern repeated (such as "abcabcabcabc"), a run of consecutive
// characters (such as "123456789012"), or contain the e-mail's local part.
func CheckPassword(password, email string) error {
	var fe domain.FieldErrors
	if problem := passwordProblem(password, email); problem != "" {
		fe.Add("password", problem)
	}
	return fe.Err()
}

func passwordProblem(password, email string) string {
	if !utf8.ValidString(password) {
		return "must be valid UTF-8 text"
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return "must be at least 12 characters"
	case n > MaxPasswordLen:
		return "must be at most 128 characters"
	}
	lower := strings.ToLower(password)
	switch {
	case isCommon(lower):
		return "is too common; choose a less predictable password"
	case isRepeated(lower):
		return "must not be a short pattern repeated"
	case isSequence(lower):
		return "must not be a run of consecutive characters"
	case containsLocalPart(lower, email):
		return "must not contain your e-mail address"
	}
	return ""
}

// isCommon reports whether lower is in the list, or is a listed word with only digits,
// punctuation or spaces added before or after it.
func isCommon(lower string) bool {
	if _, ok := commonPasswords[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) ||
			unicode.IsSpace(r)
	})
	if core == "" {
		return false // no word in it; the pattern rules judge digits and symbols
	}
	_, ok := commonPasswords[core]
	return ok && core != lower
}

// isRepeated reports whether s is a unit of one to four characters repeated.
func isRepeated(s string) bool {
	r := []rune(s)
	for period := 1; period <= 4 && period < len(r); period++ {
		same := true
		for i := period; i < len(r) && same; i++ {
			same = r[i] == r[i-period]
		}
		if same {
			return true
		}
	}
	return false
}

// isSequence reports whether s is a run of characters each one above (or each one
// below) the last, with digits wrapping from 9 to 0, like "234567890123".
func isSequence(s string) bool {
	r := []rune(s)
	up, down := true, true
	for i := 1; i < len(r); i++ {
		up = up && next(r[i-1], 1) == r[i]
		down = down && next(r[i-1], -1) == r[i]
	}
	return up || down
}

func next(r rune, step rune) rune {
	if r >= '0' && r <= '9' {
		return '0' + (r-'0'+step+10)%10
	}
	return r + step
}

// containsLocalPart reports whether lower contains the local part of email, when that
// part is long enough (four characters) for the match to mean something.
func containsLocalPart(lower, email string) bool {
	local, _, found := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !found || utf8.RuneCountInString(local) < 4 {
		return false
	}
	return strings.Contains(lower, local)
}
