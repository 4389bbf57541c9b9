package loadgen

import (
	"testing"
	"time"
)

// TestTOTP uses the SHA-1 vectors of RFC 6238 appendix B, whose eight-digit codes end
// in these six digits.
func TestTOTP(t *testing.T) {
	const seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		t.Run(time.Unix(tt.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			got, err := TOTP(seed, time.Unix(tt.unix, 0))
			if err != nil || got != tt.want {
				t.Errorf("TOTP = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestTOTPSecretForms(t *testing.T) {
	at := time.Unix(59, 0)
	want, _ := TOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at)
	for _, s := range []string{"gezd gnbv gy3t qojq gezd gnbv gy3t qojq",
		"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ===="} {
		if got, err := TOTP(s, at); err != nil || got != want {
			t.Errorf("TOTP(%q) = %q, %v; want %q", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "not base32!", "18"} {
		if _, err := TOTP(bad, at); err == nil {
			t.Errorf("TOTP(%q) gave no error", bad)
		}
	}
}
