package domain

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDate(t *testing.T) {
	tests := []struct {
		in    Date
		valid bool
		plus1 Date
	}{
		{"2026-12-03", true, "2026-12-04"},
		{"2026-12-31", true, "2027-01-01"},
		{"2028-02-28", true, "2028-02-29"},
		{"2027-02-29", false, "2027-02-29"},
		{"2026-1-3", false, "2026-1-3"},
		{"2026-01-03T00:00:00Z", false, "2026-01-03T00:00:00Z"},
		{"03/12/2026", false, "03/12/2026"},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			if got := tt.in.Valid(); got != tt.valid {
				t.Errorf("Valid = %v, want %v", got, tt.valid)
			}
			if got := tt.in.AddDays(1); got != tt.plus1 {
				t.Errorf("AddDays(1) = %q, want %q", got, tt.plus1)
			}
		})
	}
}

func TestDateOfAndYears(t *testing.T) {
	eastern := time.FixedZone("EST", -5*3600)
	if got := DateOf(time.Date(2026, 12, 3, 21, 0, 0, 0, eastern)); got != "2026-12-04" {
		t.Errorf("DateOf = %q, want the UTC date 2026-12-04", got)
	}
	tests := []struct {
		in   Date
		n    int
		want Date
	}{
		{"2026-12-03", -130, "1896-12-03"},
		{"2028-02-29", -1, "2027-03-01"},
		{"2026-12-03", 1, "2027-12-03"},
		{"bad", 1, "bad"},
	}
	for _, tt := range tests {
		if got := tt.in.AddYears(tt.n); got != tt.want {
			t.Errorf("%q.AddYears(%d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	if got := Date("2026-12-10").AddDays(-10); got != "2026-11-30" {
		t.Errorf("AddDays(-10) = %q", got)
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name     string
		s        string
		required bool
		want     []string
	}{
		{"OK", "Ada", true, nil},
		{"OK optional empty", "", false, nil},
		{"OK multi-line", "a\nb\tc", true, nil},
		{"OK at limit", "abcde", true, nil},
		{"OK runes counted", "ééééé", true, nil},
		{"required", "", true, []string{"f"}},
		{"only spaces", "   ", false, []string{"f"}},
		{"too long", "abcdef", true, []string{"f"}},
		{"control", "a\x07b", true, []string{"f"}},
		{"bad utf8", "a\xffb", true, []string{"f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fe FieldErrors
			checkText(&fe, "f", tt.s, tt.required, 5)
			got := fieldKeys(t, fe.Err())
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
