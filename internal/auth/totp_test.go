package auth

import (
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The keys of RFC 6238 Appendix B: the ASCII digits "1234567890" repeated to the
// hash's block-friendly length.
var (
	rfcKeySHA1   = []byte(strings.Repeat("1234567890", 2))
	rfcKeySHA256 = []byte(strings.Repeat("1234567890", 4)[:32])
	rfcKeySHA512 = []byte(strings.Repeat("1234567890", 7)[:64])
)

func b32(key []byte) string { return secretEncoding.EncodeToString(key) }

func TestHOTPRFC4226(t *testing.T) {
	// RFC 4226 Appendix D.
	want := []string{"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		t.Run(fmt.Sprint(counter), func(t *testing.T) {
			got, err := HOTP(rfcKeySHA1, uint64(counter), 6, SHA1)
			if err != nil || got != w {
				t.Errorf("HOTP(%d) = %q, %v; want %q", counter, got, err, w)
			}
		})
	}
}

func TestTOTPRFC6238(t *testing.T) {
	// RFC 6238 Appendix B: 8 digits, 30-second steps.
	tests := []struct {
		unix                 int64
		sha1, sha256, sha512 string
	}{
		{59, "94287082", "46119246", "90693936"},
		{1111111109, "07081804", "68084774", "25091201"},
		{1111111111, "14050471", "67062674", "99943326"},
		{1234567890, "89005924", "91819424", "93441116"},
		{2000000000, "69279037", "90698825", "38618901"},
		{20000000000, "65353130", "77737706", "47863826"},
	}
	for _, tt := range tests {
		now := time.Unix(tt.unix, 0).UTC()
		for _, c := range []struct {
			alg  Algorithm
			key  []byte
			want string
		}{{SHA1, rfcKeySHA1, tt.sha1}, {SHA256, rfcKeySHA256, tt.sha256},
			{SHA512, rfcKeySHA512, tt.sha512}} {
			t.Run(fmt.Sprintf("%d/%v", tt.unix, c.alg), func(t *testing.T) {
				cfg := TOTP{Digits: 8, Period: 30 * time.Second, Algorithm: c.alg, Skew: 1}
				got, err := cfg.Code(b32(c.key), now)
				if err != nil || got != c.want {
					t.Errorf("Code = %q, %v; want %q", got, err, c.want)
				}
				step, ok := cfg.Validate(b32(c.key), c.want, now, 0)
				if !ok || step != tt.unix/30 {
					t.Errorf("Validate = %d, %v; want %d, true", step, ok, tt.unix/30)
				}
			})
		}
	}
}

func TestValidateWindowAndReplay(t *testing.T) {
	secret := b32(rfcKeySHA1)
	now := time.Date(2026, 12, 3, 16, 0, 10, 0, time.UTC) // 10 s into a step
	cur := now.Unix() / 30
	codeAt := func(step int64) string {
		c, err := HOTP(rfcKeySHA1, uint64(step), 6, SHA1)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastUsed int64
		wantStep int64
		wantOK   bool
	}{
		{"Current", codeAt(cur), 0, cur, true},
		{"PreviousStep", codeAt(cur - 1), 0, cur - 1, true},
		{"NextStep", codeAt(cur + 1), 0, cur + 1, true},
		{"TwoBehind", codeAt(cur - 2), 0, 0, false},
		{"TwoAhead", codeAt(cur + 2), 0, 0, false},
		{"ReplaySameStep", codeAt(cur), cur, 0, false},
		{"OlderThanLastUsed", codeAt(cur - 1), cur, 0, false},
		{"NewerThanLastUsed", codeAt(cur + 1), cur, cur + 1, true},
		{"AfterPreviousUse", codeAt(cur), cur - 1, cur, true},
		{"SpacesAllowed", codeAt(cur)[:3] + " " + codeAt(cur)[3:], 0, cur, true},
		{"WrongCode", wrongCode(codeAt, cur), 0, 0, false},
		{"TooShort", codeAt(cur)[:5], 0, 0, false},
		{"TooLong", codeAt(cur) + "0", 0, 0, false},
		{"NotDigits", "12a456", 0, 0, false},
		{"Empty", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := Validate(secret, tt.code, now, tt.lastUsed)
			if step != tt.wantStep || ok != tt.wantOK {
				t.Errorf("Validate = %d, %v; want %d, %v", step, ok, tt.wantStep, tt.wantOK)
			}
		})
	}
}

// wrongCode returns a 6-digit code matching none of the steps cur-2..cur+2.
func wrongCode(codeAt func(int64) string, cur int64) string {
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", n)
		clash := false
		for s := cur - 2; s <= cur+2; s++ {
			clash = clash || codeAt(s) == c
		}
		if !clash {
			return c
		}
	}
}

func TestValidateStepEdges(t *testing.T) {
	secret := b32(rfcKeySHA1)
	base := time.Unix(1_800_000_000, 0).UTC() // a step boundary: 1.8e9 is a multiple of 30
	code, _ := HOTP(rfcKeySHA1, uint64(base.Unix()/30), 6, SHA1)
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"StepStart", base, true},
		{"OneStepLaterEnd", base.Add(59 * time.Second), true},
		{"TwoStepsLater", base.Add(60 * time.Second), false},
		{"OneSecondBefore", base.Add(-1 * time.Second), true},
		{"OneStepBeforeStart", base.Add(-30 * time.Second), true},
		{"TwoStepsBefore", base.Add(-31 * time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := Validate(secret, code, tt.at, 0); got != tt.want {
				t.Errorf("Validate at %v = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestValidateBadInput(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := map[string]struct {
		secret string
		at     time.Time
	}{
		"EmptySecret":  {"", now},
		"NotBase32":    {"not base32!", now},
		"BeforeEpoch":  {b32(rfcKeySHA1), time.Unix(-100, 0)},
		"Base32Digit1": {"ABC1EFGH", now},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if _, ok := Validate(tt.secret, "123456", tt.at, 0); ok {
				t.Error("Validate accepted bad input")
			}
		})
	}
	if _, err := HOTP(rfcKeySHA1, 0, 5, SHA1); err == nil {
		t.Error("HOTP with 5 digits succeeded")
	}
	if _, err := HOTP(rfcKeySHA1, 0, 6, Algorithm(9)); err == nil {
		t.Error("HOTP with unknown algorithm succeeded")
	}
}

func TestNewTOTPSecret(t *testing.T) {
	s, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	raw := s.Reveal()
	if len(raw) != 32 || strings.Contains(raw, "=") {
		t.Errorf("secret %q: want 32 base32 characters, no padding", raw)
	}
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(raw)
	if err != nil || len(key) != TOTPSecretBytes {
		t.Errorf("secret decodes to %d bytes, %v; want %d", len(key), err, TOTPSecretBytes)
	}
	other, _ := NewTOTPSecret()
	if other == s {
		t.Error("two secrets are equal")
	}
	code, err := DefaultTOTP.Code(raw, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Validate(strings.ToLower(raw), code, time.Now(), 0); !ok {
		t.Error("lower-case secret not accepted")
	}
}

func TestProvisioningURI(t *testing.T) {
	uri := ProvisioningURI("JBSWY3DPEHPK3PXP", "ann+ivr@example.com").Reveal()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatalf("parse %q: %v", uri, err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" {
		t.Errorf("scheme/host = %s/%s", u.Scheme, u.Host)
	}
	if got, want := u.Path, "/IVR Platform:ann+ivr@example.com"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	want := url.Values{"secret": {"JBSWY3DPEHPK3PXP"}, "issuer": {"IVR Platform"},
		"algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	if diff := cmp.Diff(want, u.Query()); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	if strings.Contains(uri, "IVR+Platform") {
		t.Errorf("issuer space encoded as '+': %q", uri)
	}
}

func TestAlgorithmString(t *testing.T) {
	got := []string{SHA1.String(), SHA256.String(), SHA512.String(), Algorithm(7).String()}
	want := []string{"SHA1", "SHA256", "SHA512", "Algorithm(7)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
