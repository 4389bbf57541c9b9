package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openivr/ivr/internal/store"
	"github.com/openivr/ivr/internal/store/storetest"
)

func TestVerifyCommand(t *testing.T) {
	storetest.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		s, err := LoadOrCreateKeyFile(dir)
		if err != nil {
			t.Fatal(err)
		}
		MustAppend(t, db, 0, 5)
		MustCheckpoint(t, db, s, filepath.Join(dir, LogFileName))

		var out strings.Builder
		if code := VerifyCommand(ctx, db, dir, &out); code != ExitOK ||
			!strings.Contains(out.String(), "OK: the chain verifies") {
			t.Errorf("clean chain: exit %d, output:\n%s", code, out.String())
		}

		MustExec(t, db, `UPDATE audit_entries SET outcome = 'denied' WHERE seq = 4`)
		out.Reset()
		if code := VerifyCommand(ctx, db, dir, &out); code != ExitTampered ||
			!strings.Contains(out.String(), "first bad entry at seq 4") {
			t.Errorf("tampered chain: exit %d, output:\n%s", code, out.String())
		}

		out.Reset()
		code := VerifyCommandWith(ctx, db, dir,
			CommandOptions{PublicKeyFile: filepath.Join(dir, "absent.pub")}, &out)
		if code != ExitError || !strings.Contains(out.String(), "read public key") {
			t.Errorf("missing key: exit %d, output:\n%s", code, out.String())
		}
	})
}
