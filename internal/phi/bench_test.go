package phi

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// patientRecord is a typical patient row: 15 PHI fields of realistic length.
var patientRecord = []string{
	"Abernathy", "Dolores", "M", "1961-04-27", "F", "W123456789", "MRN-0042-7781",
	"1200 Sweetwater Rd", "Apt 4", "Sweetwater", "AZ", "85001", "+1-602-555-0142",
	"dolores@example.org", "L97.412 non-pressure chronic ulcer of right heel",
}

func BenchmarkEncryptField(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	id := FieldID{"patients", "last_name", "0190b8e2-7a6c-7d41-9f3e-2b8c6c1f0a11"}
	pt := []byte("Abernathy")
	for b.Loop() {
		if _, err := k.Encrypt(pt, id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptField(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	id := FieldID{"patients", "last_name", "0190b8e2-7a6c-7d41-9f3e-2b8c6c1f0a11"}
	ct := MustEncrypt(b, k, "Abernathy", id)
	for b.Loop() {
		if _, err := k.Decrypt(ct, id); err != nil {
			b.Fatal(err)
		}
	}
}

func recordIDs() []FieldID {
	ids := make([]FieldID, len(patientRecord))
	for i := range ids {
		ids[i] = FieldID{"patients", fmt.Sprintf("col_%02d", i), "0190b8e2-7a6c-7d41"}
	}
	return ids
}

func BenchmarkEncryptRecord(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	ids := recordIDs()
	for b.Loop() {
		for i, v := range patientRecord {
			if _, err := k.EncryptString(v, ids[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDecryptRecord(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	ids := recordIDs()
	cts := make([][]byte, len(ids))
	for i, v := range patientRecord {
		cts[i] = MustEncrypt(b, k, v, ids[i])
	}
	for b.Loop() {
		for i, ct := range cts {
			if _, err := k.DecryptString(ct, ids[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	for b.Loop() {
		if _, err := k.BlindIndex(KindMRN, "MRN00427781"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNameDOBIndex includes name normalisation and date parsing.
func BenchmarkNameDOBIndex(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	for b.Loop() {
		if _, err := k.NameDOBIndex("García-Ñúñez", "José María", "1961-04-27"); err != nil {
			b.Fatal(err)
		}
	}
}

const streamSize = 8 << 20

func BenchmarkEncryptStream(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	pt := bytes.Repeat([]byte("0123456789abcdef"), streamSize/16)
	b.SetBytes(streamSize)
	for b.Loop() {
		w, err := k.EncryptStream(io.Discard, []byte("documents/x"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.Write(pt); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecryptStream(b *testing.B) {
	k := MustOpen(b, b.TempDir(), MustCountingKEK(b))
	pt := bytes.Repeat([]byte("0123456789abcdef"), streamSize/16)
	ct := MustEncryptStream(b, k, pt, []byte("documents/x"))
	b.SetBytes(streamSize)
	for b.Loop() {
		r, err := k.DecryptStream(bytes.NewReader(ct), []byte("documents/x"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
