// Package audit is the platform's tamper-evident audit trail. Every create, update,
// state change, PHI read and denied attempt appends one Entry in the transaction of
// the work it records. Entries hold identifiers and field names, never PHI values.
//
// Entries form a hash chain: each stored Record carries the SHA-256 of its canonical
// encoding (see Canonical), which includes the hash of the record before it. A Signer
// (an Ed25519 key in the data directory, or a KMS-held key) periodically signs the
// head of the chain; the signed checkpoints are kept in the database and appended to
// a JSON-lines file an operator can ship off the machine. Verify recomputes the whole
// chain and checks every checkpoint, so an edited, deleted, reordered or inserted
// entry, a truncated tail or a database restored from an older copy is reported.
package audit

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Outcome says how the recorded attempt ended.
type Outcome string

// The outcomes an entry may record.
const (
	OutcomeSuccess Outcome = "success"
	OutcomeDenied  Outcome = "denied"
	OutcomeFailure Outcome = "failure"
)

// Severity ranks an entry for review. Break-glass access and other events a privacy
// officer must look at are SeverityHigh.
type Severity string

// The severities an entry may carry; an empty Severity is stored as SeverityInfo.
const (
	SeverityInfo Severity = "info"
	SeverityHigh Severity = "high"
)

// Entry is what a caller records: who did what to which resource, and how it ended.
// It must never hold PHI values: Fields lists field names ("patient.birth_date"),
// ResourceID and PatientID are opaque identifiers. ActorID, ActorRole and SessionID
// are empty only for unauthenticated attempts.
type Entry struct {
	ActorID      string
	ActorRole    string
	SessionID    string
	IP           string
	UserAgent    string
	Action       string // e.g. "ivr.read", "patient.update", "document.download"
	ResourceType string // e.g. "ivr", "patient", "document"
	ResourceID   string
	PatientID    string   // the patient whose data was touched, or ""
	Fields       []string // names of the fields read or written, never their values
	Outcome      Outcome
	Reason       string // required justification, e.g. for break-glass access
	Severity     Severity
}

// Record is a stored entry with its place in the chain.
type Record struct {
	Seq      int64
	ID       string
	At       time.Time // UTC, microsecond precision
	Entry    Entry
	PrevHash []byte
	Hash     []byte
}

// Limits on entry values, in bytes. A longer user agent is cut (it is client
// supplied and must not make the audited request fail); anything else is refused.
const (
	maxShort     = 200
	maxUserAgent = 512
	maxReason    = 1000
	maxFields    = 200
)

// ErrInvalidEntry is wrapped by every error Append returns for an entry that cannot
// be recorded as given.
var ErrInvalidEntry = errors.New("invalid audit entry")

// normalize returns e in the form that is hashed and stored: severity defaulted, the
// user agent made valid UTF-8 and cut to maxUserAgent. The error names the first bad
// field; it quotes no value.
func normalize(e Entry) (Entry, error) {
	if e.Severity == "" {
		e.Severity = SeverityInfo
	}
	e.UserAgent = truncateUTF8(strings.ToValidUTF8(stripNUL(e.UserAgent), "\uFFFD"), maxUserAgent)
	if err := validate(e); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrInvalidEntry, err)
	}
	e.Fields = append([]string(nil), e.Fields...)
	return e, nil
}

func validate(e Entry) error {
	short := []struct{ name, v string }{
		{"actor_id", e.ActorID}, {"actor_role", e.ActorRole}, {"session_id", e.SessionID},
		{"ip", e.IP}, {"action", e.Action}, {"resource_type", e.ResourceType},
		{"resource_id", e.ResourceID}, {"patient_id", e.PatientID},
	}
	for _, f := range short {
		if err := checkText(f.name, f.v, maxShort); err != nil {
			return err
		}
	}
	if err := checkText("reason", e.Reason, maxReason); err != nil {
		return err
	}
	if e.Action == "" || e.ResourceType == "" {
		return errors.New("action and resource_type are required")
	}
	switch e.Outcome {
	case OutcomeSuccess, OutcomeDenied, OutcomeFailure:
	default:
		return errors.New("outcome must be success, denied or failure")
	}
	if e.Severity != SeverityInfo && e.Severity != SeverityHigh {
		return errors.New("severity must be info or high")
	}
	return checkFields(e.Fields)
}

func checkText(name, v string, max int) error {
	switch {
	case len(v) > max:
		return fmt.Errorf("%s is longer than %d bytes", name, max)
	case !utf8.ValidString(v):
		return fmt.Errorf("%s is not valid UTF-8", name)
	case strings.IndexByte(v, 0) >= 0:
		return fmt.Errorf("%s contains a NUL byte", name)
	}
	return nil
}

// checkFields accepts field names made of ASCII letters, digits and "_.-[]"; the
// names are stored comma-separated, so this also keeps that form unambiguous.
func checkFields(fields []string) error {
	if len(fields) > maxFields {
		return fmt.Errorf("more than %d fields", maxFields)
	}
	for i, f := range fields {
		if f == "" || len(f) > maxShort {
			return fmt.Errorf("fields[%d] must be 1 to %d bytes", i, maxShort)
		}
		for j := 0; j < len(f); j++ {
			if !fieldByte(f[j]) {
				return fmt.Errorf("fields[%d] is not a field name (letters, digits, _.-[])", i)
			}
		}
	}
	return nil
}

func fieldByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("_.-[]", c) >= 0
}

func stripNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func joinFields(fields []string) string { return strings.Join(fields, ",") }

func splitFields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
