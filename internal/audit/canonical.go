package audit

import (
	"crypto/sha256"
	"encoding/binary"
)

// HashSize is the length of every chain hash, in bytes.
const HashSize = sha256.Size

// GenesisHash is the prev_hash of entry 1 and the hash of the empty chain: 32 zero
// bytes.
var GenesisHash = make([]byte, HashSize)

// canonicalTag starts every canonical encoding; it names the format and its version.
const canonicalTag = "openivr-audit-entry-v1"

// Canonical returns the canonical encoding of r, the bytes its hash covers:
//
//	tag        the 22 ASCII bytes "openivr-audit-entry-v1"
//	seq        8 bytes, big-endian two's complement (int64)
//	at         8 bytes, big-endian int64: microseconds since 1970-01-01T00:00:00Z
//	prev_hash  32 bytes, raw
//	then 13 strings, each as a 4-byte big-endian byte length and the UTF-8 bytes:
//	  id, actor_id, actor_role, session_id, ip, user_agent, action,
//	  resource_type, resource_id, patient_id, outcome, reason, severity
//	fields     4-byte big-endian count, then each field name as a string (as above)
//
// Every variable-length part is length-prefixed, so no two records share an
// encoding. The stored hash is SHA-256 of these bytes. The stored values are exactly
// the encoded ones (the fields column holds the names joined by ","; names cannot
// contain a comma), so a verifier can rebuild the encoding from a row alone.
func Canonical(r Record) []byte {
	e := r.Entry
	n := len(canonicalTag) + 16 + HashSize + 14*4 + len(r.ID)
	strs := [...]string{
		r.ID, e.ActorID, e.ActorRole, e.SessionID, e.IP, e.UserAgent, e.Action,
		e.ResourceType, e.ResourceID, e.PatientID, string(e.Outcome), e.Reason,
		string(e.Severity),
	}
	for _, s := range strs[1:] {
		n += len(s)
	}
	for _, f := range e.Fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, canonicalTag...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(r.At.UnixMicro()))
	b = append(b, r.PrevHash...)
	for _, s := range strs {
		b = appendString(b, s)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Fields)))
	for _, f := range e.Fields {
		b = appendString(b, f)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// HashRecord returns SHA-256 of Canonical(r). r.Hash is not read.
func HashRecord(r Record) []byte {
	sum := sha256.Sum256(Canonical(r))
	return sum[:]
}
