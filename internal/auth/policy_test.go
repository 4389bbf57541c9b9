package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/openivr/ivr/internal/domain"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		email    string
		want     string // problem for field "password"; "" if accepted
	}{
		{"OK", "violet-kayak-morning", "ann@example.com", ""},
		{"OKExactly12", "Zq8!mw3Lp0xR", "", ""},
		{"OK128", strings.Repeat("ab3$", 31) + "Zq8!", "", ""},
		{"OKUnicode12Runes", "éàüöçñøåæßœþ", "", ""},
		{"TooShort", "Zq8!mw3Lp0x", "", "must be at least 12 characters"},
		{"ShortInRunesLongInBytes", "éàüöçñøåæßœ", "", "must be at least 12 characters"},
		{"TooLong", strings.Repeat("ab3$", 32) + "Z", "", "must be at most 128 characters"},
		{"NotUTF8", "Zq8!mw3Lp0xR\xff", "", "must be valid UTF-8 text"},
		{"Listed", "password123456", "", "is too common; choose a less predictable password"},
		{"ListedCase", "QwertyUiop12", "", "is too common; choose a less predictable password"},
		{"KeyboardWalk", "1qaz2wsx3edc", "", "is too common; choose a less predictable password"},
		{"WordWithDigits", "Password2024!!", "", "is too common; choose a less predictable password"},
		{"WordInsideDigits", "1234Sunshine5678", "", "is too common; choose a less predictable password"},
		{"WordWithLetters", "sunshinemeadow", "", ""},
		{"RepeatedCharListed", "AAAAAAAAAAAA", "", "is too common; choose a less predictable password"},
		{"RepeatedChar13", "aaaaaaaaaaaaa", "", "must not be a short pattern repeated"},
		{"RepeatedCharUnlisted", "zzzzzzzzzzzzzz", "", "must not be a short pattern repeated"},
		{"RepeatedUnit", "xyzxyzxyzxyz", "", "must not be a short pattern repeated"},
		{"RepeatedUnitRagged", "k9#k9#k9#k9#k", "", "must not be a short pattern repeated"},
		{"RepeatedUnit4", "ab1!ab1!ab1!", "", "must not be a short pattern repeated"},
		{"Ascending", "bcdefghijklm", "", "must not be a run of consecutive characters"},
		{"DigitsWrap", "567890123456", "", "must not be a run of consecutive characters"},
		{"DigitsRandom", "830271946152", "", ""},
		{"DigitsListed", "123456789012", "", "is too common; choose a less predictable password"},
		{"Descending", "zyxwvutsrqpo", "", "must not be a run of consecutive characters"},
		{"EmailLocal", "xx-ann.smith-2029!", "Ann.Smith@example.com",
			"must not contain your e-mail address"},
		{"ShortLocalIgnored", "violet-kayak-bob", "bob@example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.password, tt.email)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckPassword = %v, want nil", err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
				t.Fatalf("CheckPassword = %v, want *domain.Error invalid", err)
			}
			if diff := cmp.Diff(map[string]string{"password": tt.want}, de.Fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			if strings.Contains(de.Error(), tt.password) {
				t.Errorf("error %q repeats the password", de.Error())
			}
		})
	}
}

func TestCommonListLoaded(t *testing.T) {
	if n := len(commonPasswords); n < 300 {
		t.Errorf("common password list has %d entries, want at least 300", n)
	}
	for w := range commonPasswords {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w {
			t.Errorf("list entry %q not normalised", w)
		}
	}
}
