package auth

import (
	"regexp"
	"strings"
	"testing"
)

var recoveryPattern = regexp.MustCompile(
	`^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$`)

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("got %d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		raw := c.Reveal()
		if !recoveryPattern.MatchString(raw) {
			t.Errorf("code %d = %q, not xxxxx-xxxxx-xxxxx from the alphabet", i, raw)
		}
		if seen[raw] {
			t.Errorf("code %q repeated", raw)
		}
		seen[raw] = true
		if strings.Contains(hashes[i], NormalizeRecoveryCode(raw)) {
			t.Errorf("hash %d contains the code", i)
		}
		if got, ok := MatchRecoveryCode(raw, hashes); !ok || got != i {
			t.Errorf("MatchRecoveryCode(code %d) = %d, %v", i, got, ok)
		}
	}
}

func TestRecoveryAlphabetUniform(t *testing.T) {
	// Every symbol must be drawn; over 2,000 codes (30,000 symbols, ~970 per symbol
	// expected) a symbol under 700 or over 1,250 signals a biased draw.
	counts := map[rune]int{}
	for range 2000 {
		c, err := newRecoveryCode()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range strings.ReplaceAll(c, "-", "") {
			counts[r]++
		}
	}
	if len(counts) != len(recoveryAlphabet) {
		t.Errorf("%d distinct symbols drawn, want %d", len(counts), len(recoveryAlphabet))
	}
	for r, n := range counts {
		if n < 700 || n > 1250 {
			t.Errorf("symbol %q drawn %d times", r, n)
		}
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	const code = "k7m2p-x9hqa-4tz8c"
	hashes := []string{HashRecoveryCode("aaaaa-bbbbb-ccccc"), "", HashRecoveryCode(code)}
	tests := []struct {
		name   string
		input  string
		hashes []string
		want   int
		wantOK bool
	}{
		{"Exact", code, hashes, 2, true},
		{"Upper", "K7M2P-X9HQA-4TZ8C", hashes, 2, true},
		{"NoDashes", "k7m2px9hqa4tz8c", hashes, 2, true},
		{"Spaces", " k7m2p x9hqa 4tz8c\n", hashes, 2, true},
		{"OtherCode", "aaaaa-bbbbb-ccccc", hashes, 0, true},
		{"Wrong", "k7m2p-x9hqa-4tz8d", hashes, -1, false},
		{"Used", code, []string{"", ""}, -1, false},
		{"EmptyInput", "", hashes, -1, false},
		{"TooShort", "k7m2p-x9hqa", hashes, -1, false},
		{"NoHashes", code, nil, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MatchRecoveryCode(tt.input, tt.hashes)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("MatchRecoveryCode = %d, %v; want %d, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
