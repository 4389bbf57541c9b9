package phi

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func MustEncrypt(tb testing.TB, k *Keyring, s string, id FieldID) []byte {
	tb.Helper()
	ct, err := k.EncryptString(s, id)
	if err != nil {
		tb.Fatalf("Encrypt: %v", err)
	}
	return ct
}

func MustDecrypt(tb testing.TB, k *Keyring, ct []byte, id FieldID) string {
	tb.Helper()
	s, err := k.DecryptString(ct, id)
	if err != nil {
		tb.Fatalf("Decrypt: %v", err)
	}
	return s
}

func TestFieldRoundTrip(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	id := FieldID{"patients", "last_name", "0190b8e2"}
	for _, s := range []string{"", "Abernathy", "Zoë O'Brien-Ñúñez", string(make([]byte, 4096))} {
		ct := MustEncrypt(t, k, s, id)
		if len(s) > 3 && bytes.Contains(ct, []byte(s)) {
			t.Errorf("ciphertext contains the plaintext")
		}
		if got := MustDecrypt(t, k, ct, id); got != s {
			t.Errorf("Decrypt = %q, want %q", got, s)
		}
	}
	a, b := MustEncrypt(t, k, "same", id), MustEncrypt(t, k, "same", id)
	if string(a) == string(b) {
		t.Error("two encryptions of one value are equal; nonce reuse?")
	}
}

func TestFieldDecryptErrors(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	other := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	id := FieldID{"patients", "last_name", "row-1"}
	ct := MustEncrypt(t, k, "Abernathy", id)
	tampered := append([]byte(nil), ct...)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name string
		ct   []byte
		id   FieldID
		want error
	}{
		{"OtherRow", ct, FieldID{"patients", "last_name", "row-2"}, ErrDecrypt},
		{"OtherColumn", ct, FieldID{"patients", "first_name", "row-1"}, ErrDecrypt},
		{"OtherTable", ct, FieldID{"insurance", "last_name", "row-1"}, ErrDecrypt},
		{"ShiftedParts", ct, FieldID{"patients", "last_namer", "ow-1"}, ErrDecrypt},
		{"Tampered", tampered, id, ErrDecrypt},
		{"Truncated", ct[:len(ct)-1], id, ErrDecrypt},
		{"Short", ct[:10], id, ErrMalformed},
		{"Empty", nil, id, ErrMalformed},
		{"OtherKeyset", MustEncrypt(t, other, "Abernathy", id), id, ErrUnknownKey},
		{"NoRowID", ct, FieldID{"patients", "last_name", ""}, ErrFieldID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.Decrypt(tt.ct, tt.id)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decrypt err = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("Decrypt returned %d bytes with an error", len(got))
			}
		})
	}
}

func TestNullText(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	id := FieldID{"patients", "middle_name", "r"}
	ct, err := k.EncryptNullText(nil, id)
	if err != nil || ct != nil {
		t.Fatalf("EncryptNullText(nil) = %v, %v; want nil, nil", ct, err)
	}
	if got, err := k.DecryptNullText(nil, id); err != nil || got != nil {
		t.Errorf("DecryptNullText(nil) = %v, %v; want nil, nil", got, err)
	}
	empty := NewText("")
	ct, err = k.EncryptNullText(&empty, id)
	if err != nil || ct == nil {
		t.Fatalf("EncryptNullText(empty) = %v, %v; want a ciphertext", ct, err)
	}
	got, err := k.DecryptNullText(ct, id)
	if err != nil || got == nil || got.Reveal() != "" {
		t.Errorf("DecryptNullText = %v, %v; want a present empty Text", got, err)
	}
}

func TestDateField(t *testing.T) {
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	id := FieldID{"patients", "birth_date", "r"}
	ct, err := k.EncryptDate(MustDate(t, "1961-04-27"), id)
	if err != nil {
		t.Fatal(err)
	}
	d, err := k.DecryptDate(ct, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Reveal(), "1961-04-27"; got != want {
		t.Errorf("DecryptDate = %q, want %q", got, want)
	}
	if _, err := k.DecryptDate(MustEncrypt(t, k, "not a date", id), id); err == nil {
		t.Error("DecryptDate of a non-date succeeded")
	}
}

func TestRotateAndReencrypt(t *testing.T) {
	ctx := context.Background()
	k := MustOpen(t, t.TempDir(), MustCountingKEK(t))
	id := FieldID{"patients", "last_name", "r"}
	old := MustEncrypt(t, k, "Abernathy", id)
	if k.NeedsReencrypt(old) {
		t.Error("NeedsReencrypt before rotation = true")
	}
	before := k.PrimaryKeyID()
	if err := k.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	if k.PrimaryKeyID() == before {
		t.Fatal("Rotate kept the primary key id")
	}
	if !k.NeedsReencrypt(old) {
		t.Error("NeedsReencrypt of an old ciphertext = false")
	}
	if got := MustDecrypt(t, k, old, id); got != "Abernathy" {
		t.Errorf("old ciphertext after rotation = %q", got)
	}
	fresh, err := k.Reencrypt(old, id)
	if err != nil {
		t.Fatal(err)
	}
	if k.NeedsReencrypt(fresh) || MustDecrypt(t, k, fresh, id) != "Abernathy" {
		t.Error("Reencrypt did not move the value to the primary key")
	}
	same, err := k.Reencrypt(fresh, id)
	if err != nil || string(same) != string(fresh) {
		t.Errorf("Reencrypt of a current ciphertext changed it (err %v)", err)
	}
	if _, err := k.Reencrypt(old, FieldID{"patients", "last_name", "x"}); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Reencrypt for another row: err = %v, want ErrDecrypt", err)
	}
}

// TestOtherProcessPicksUpRotation: a second keyring on the same data dir (as a
// second `ivr serve` would have) decrypts values written under a key it has not
// seen, by reloading on the unknown key id.
func TestOtherProcessPicksUpRotation(t *testing.T) {
	dir := t.TempDir()
	kek := MustCountingKEK(t)
	a, b := MustOpen(t, dir, kek), MustOpen(t, dir, kek)
	if err := a.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := FieldID{"patients", "last_name", "r"}
	ct := MustEncrypt(t, a, "Abernathy", id)
	if got := MustDecrypt(t, b, ct, id); got != "Abernathy" {
		t.Errorf("other keyring Decrypt = %q", got)
	}
	if b.PrimaryKeyID() != a.PrimaryKeyID() {
		t.Error("other keyring did not switch to the new primary after reloading")
	}
}
