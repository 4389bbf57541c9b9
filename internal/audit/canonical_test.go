package audit

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCanonicalMatchesTheDocumentedLayout builds the encoding byte by byte from the
// doc comment, as an external verifier would.
func TestCanonicalMatchesTheDocumentedLayout(t *testing.T) {
	prev := bytes.Repeat([]byte{0xab}, 32)
	r := Record{Seq: 258, ID: "id1", At: time.UnixMicro(1_000_002).UTC(), PrevHash: prev,
		Entry: Entry{ActorID: "u", Action: "patient.read", ResourceType: "patient",
			Fields: []string{"name", "dob"}, Outcome: OutcomeSuccess, Severity: SeverityInfo}}
	var want []byte
	want = append(want, "openivr-audit-entry-v1"...)
	want = append(want, 0, 0, 0, 0, 0, 0, 1, 2)          // seq 258
	want = append(want, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x42) // 1000002 µs
	want = append(want, prev...)
	str := func(s string) {
		want = append(want, 0, 0, 0, byte(len(s)))
		want = append(want, s...)
	}
	for _, s := range []string{"id1", "u", "", "", "", "", "patient.read", "patient", "", "",
		"success", "", "info"} {
		str(s)
	}
	want = append(want, 0, 0, 0, 2)
	str("name")
	str("dob")
	if diff := cmp.Diff(want, Canonical(r)); diff != "" {
		t.Errorf("Canonical (-want +got):\n%s", diff)
	}
	sum := sha256.Sum256(want)
	if !bytes.Equal(HashRecord(r), sum[:]) {
		t.Error("HashRecord is not SHA-256 of the canonical encoding")
	}
}

// TestCanonicalIsUnambiguous moves bytes between neighbouring fields and checks
// that every variant encodes differently.
func TestCanonicalIsUnambiguous(t *testing.T) {
	base := Record{Seq: 1, At: time.Unix(0, 0).UTC(), PrevHash: GenesisHash,
		Entry: Entry{Action: "ab", ResourceType: "c", Outcome: OutcomeSuccess, Severity: "info"}}
	variants := map[string]func(r *Record){
		"base":          func(r *Record) {},
		"shift":         func(r *Record) { r.Entry.Action, r.Entry.ResourceType = "a", "bc" },
		"fields-split":  func(r *Record) { r.Entry.Fields = []string{"a", "b"} },
		"fields-joined": func(r *Record) { r.Entry.Fields = []string{"ab"} },
		"fields-empty":  func(r *Record) { r.Entry.Fields = []string{} },
		"seq":           func(r *Record) { r.Seq = 2 },
		"time":          func(r *Record) { r.At = r.At.Add(time.Microsecond) },
		"prev":          func(r *Record) { r.PrevHash = bytes.Repeat([]byte{1}, 32) },
		"id":            func(r *Record) { r.ID = "x" },
	}
	seen := map[string]string{}
	for name, edit := range variants {
		r := base
		edit(&r)
		enc := string(Canonical(r))
		if other, dup := seen[enc]; dup && !(name == "fields-empty" && other == "base" ||
			name == "base" && other == "fields-empty") {
			t.Errorf("%s and %s encode the same", name, other)
		}
		seen[enc] = name
	}
}
