package auth

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretRedacts(t *testing.T) {
	s := Secret("JBSWY3DPEHPK3PXP")
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s)
	outputs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %+v %#v", s, s, s, s, s, s),
		fmt.Sprintf("%v", struct{ S Secret }{s}), logged.String(), s.String(), s.GoString(),
	}
	for _, out := range outputs {
		if strings.Contains(out, "JBSWY3") || strings.Contains(out, "4a4253") {
			t.Errorf("secret leaked: %q", out)
		}
	}
	if s.Reveal() != "JBSWY3DPEHPK3PXP" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}
